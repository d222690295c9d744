// The invoice routes with an API key: GET answers the contract's JSON (checked against the OpenAPI
// document), finalize is 409 before the period ends, then idempotent and frozen byte for byte; the CSV
// export has a row per tenant and line; refusals are 400 / 401 / 404 and write nothing.
import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { useDatabaseForTests } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { mapNumberToTenant } from "@/lib/billing";
import { billingPeriodOf } from "@/lib/billing/periods";
import { setPricePlan } from "@/lib/pricing/plans";
import { createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { expectMatchesOpenApi } from "@/lib/testing/openapi";
import { GET as exportCsv } from "./export/route";
import { POST as finalize } from "./[tenantId]/[period]/finalize/route";
import { GET } from "./[tenantId]/[period]/route";

describe("the invoice routes", () => {
  const database = useTestDatabase();
  let key = "";
  const current = billingPeriodOf(new Date()).month;

  const request = (path: string, method = "GET", auth: string | null = `Bearer ${key}`) =>
    new Request(`http://127.0.0.1${path}`, { method, headers: auth === null ? {} : { authorization: auth } });
  const getInvoice = (tenantId: string, period: string, auth?: string | null) =>
    GET(request(`/api/invoices/${tenantId}/${period}`, "GET", auth), { params: Promise.resolve({ tenantId, period }) });
  const postFinalize = (tenantId: string, period: string, auth?: string | null) =>
    finalize(request(`/api/invoices/${tenantId}/${period}/finalize`, "POST", auth), { params: Promise.resolve({ tenantId, period }) });

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    key = (await createApiKey(db, { name: "invoicing" }, { actor: "test" })).key;
    for (const [tenant, n] of [["alpha", 1], ["beta", 2]] as const) {
      await createTenant(db, tenant);
      const { mapping } = await mapNumberToTenant(db, { tenantId: tenant, phoneNumber: `+1250555060${n}`, twilioNumberSid: sidOf("PN", 600 + n) }, { actor: "test" });
      await db.execute(sql`update tenant_phone_mappings set provisioned_at = '2024-12-01T00:00:00Z' where id = ${mapping.id}::uuid`);
      await setPricePlan(db, { tenantId: tenant, effectiveFrom: "2025-01", plan: { currency: "USD", number_monthly_fee: { local: `${n}.25`, toll_free: "2.00" } } }, { actor: "test" });
    }
    await createTenant(db, "planless");
  });

  it("GET answers the draft as the contract and the OpenAPI document say", async () => {
    const res = await getInvoice("alpha", "2025-01");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expectMatchesOpenApi("/api/invoices/{tenantId}/{period}", "get", 200, body);
    expect(body).toEqual({
      tenant_id: "alpha",
      period: "2025-01",
      currency: "USD",
      status: "draft",
      lines: [
        { code: "number_fee_local", description: "Local numbers, monthly fee", period: "2025-01", quantity: 1, included: 0, billable: 1, unit_price: "1.25", amount_cents: 125 },
        { code: "number_fee_toll_free", description: "Toll-free numbers, monthly fee", period: "2025-01", quantity: 0, included: 0, billable: 0, unit_price: "2.00", amount_cents: 0 },
      ],
      total_cents: 125,
      finalized_at: null,
    });
  });

  it("finalize: 409 for the current period, then a stored invoice that every GET returns byte for byte", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const early = await postFinalize("alpha", current);
    expect(early.status).toBe(409);
    const earlyBody = await early.json();
    expectMatchesOpenApi("/api/invoices/{tenantId}/{period}/finalize", "post", 409, earlyBody);
    expect(await snapshotTables(db)).toEqual(before);

    const res = await postFinalize("alpha", "2025-01");
    expect(res.status).toBe(200);
    const text = await res.text();
    expectMatchesOpenApi("/api/invoices/{tenantId}/{period}/finalize", "post", 200, JSON.parse(text));
    expect(JSON.parse(text)).toMatchObject({ status: "final", total_cents: 125 });
    expect(await (await postFinalize("alpha", "2025-01")).text()).toBe(text);
    await setPricePlan(db, { tenantId: "alpha", effectiveFrom: "2025-01", plan: { currency: "USD", number_monthly_fee: { local: "7.00", toll_free: "2.00" } } }, { actor: "test" });
    expect(await (await getInvoice("alpha", "2025-01")).text()).toBe(text);
  });

  it("refuses: 401 without a valid key, 404 unknown tenant or no plan, 400 bad period; nothing written", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    for (const [res, status] of [
      [await getInvoice("alpha", "2025-01", null), 401],
      [await getInvoice("alpha", "2025-01", "Bearer bm_wrong"), 401],
      [await postFinalize("alpha", "2025-01", null), 401],
      [await getInvoice("nobody", "2025-01"), 404],
      [await getInvoice("planless", "2025-01"), 404],
      [await postFinalize("planless", "2025-01"), 404],
      [await postFinalize("nobody", "2025-01"), 404],
      [await getInvoice("alpha", "2025-13"), 400],
      [await postFinalize("alpha", "25-01"), 400],
      [await getInvoice("bad tenant!", "2025-01"), 400],
    ] as const) {
      const body = await res.json();
      expect({ status: res.status, success: (body as { success: boolean }).success }).toEqual({ status, success: false });
      expectMatchesOpenApi("/api/invoices/{tenantId}/{period}", "get", status, body);
    }
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("exports one CSV row per tenant and line, final and draft invoices alike", async () => {
    const res = await exportCsv(request("/api/invoices/export?period=2025-01"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.tenant_id, r.status, r.line_code, r.amount_cents, r.invoice_total_cents])).toEqual([
      ["alpha", "final", "number_fee_local", "125", "125"],
      ["alpha", "final", "number_fee_toll_free", "0", "125"],
      ["beta", "draft", "number_fee_local", "225", "225"],
      ["beta", "draft", "number_fee_toll_free", "0", "225"],
    ]);
    const one = parse(await (await exportCsv(request("/api/invoices/export?period=2025-01&tenant_id=beta"))).text(), { columns: true }) as Record<string, string>[];
    expect(one.map((r) => r.tenant_id)).toEqual(["beta", "beta"]);
    expect((await exportCsv(request("/api/invoices/export"))).status).toBe(400);
    expect((await exportCsv(request("/api/invoices/export?period=2025-1"))).status).toBe(400);
    expect((await exportCsv(request("/api/invoices/export?period=2025-01&tenant_id=nobody"))).status).toBe(404);
    expect((await exportCsv(request("/api/invoices/export?period=2025-01", "GET", null))).status).toBe(401);
    const empty = await (await exportCsv(request("/api/invoices/export?period=2020-01"))).text();
    expect(empty.trim().split("\n")).toHaveLength(1);
  });
});
