// The CSV export routes: API keys read any tenant; bad periods are 400, unknown tenants 404, no key 401;
// a tenant's scope never reaches another tenant (tenantScopeOf).
import { parse } from "csv-parse/sync";
import { beforeAll, describe, expect, it } from "vitest";
import { useDatabaseForTests } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { logSmsUsage, mapNumberToTenant } from "@/lib/billing";
import { BillingError } from "@/lib/errors";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { auditLogFiltersSchema } from "@/lib/usage/audit-log";
import { tenantScopeOf } from "@/lib/usage/caller-scope";
import { auditLogCsvStream, usageCsvStream } from "@/lib/usage/export";
import { parseInput } from "@/lib/validation";
import { GET as logsExport } from "../logs/export/route";
import { GET } from "./route";

describe("GET /api/usage/export and /api/usage/logs/export", () => {
  const database = useTestDatabase();
  let key = "";
  const period = new Date().toISOString().slice(0, 7);

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "alpha");
    await createTenant(db, "beta");
    for (const [i, tenant] of ["alpha", "beta"].entries()) {
      const { mapping } = await mapNumberToTenant(db, { tenantId: tenant, twilioNumberSid: sidOf("PN", i + 1), phoneNumber: `+1604555000${i}` }, { actor: "test" });
      await logSmsUsage(db, { tenantId: tenant, phoneMappingId: mapping.id, direction: "outbound", messageSid: sidOf("SM", i + 1), numSegments: 2 });
    }
    key = (await createApiKey(db, { name: "invoicing" }, { actor: "test" })).key;
  });

  const get = (handler: typeof GET, query: string, auth: string | null = `Bearer ${key}`) =>
    handler(new Request(`http://127.0.0.1/api/usage/export?${query}`, { headers: auth ? { authorization: auth } : {} }));

  it("streams the period's CSV for an API key, all tenants or one", async () => {
    const res = await get(GET, `period=${period}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="usage-${period}.csv"`);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.tenant_id, r.sms_count_used, r.sms_segments_used])).toEqual([["alpha", "1", "2"], ["beta", "1", "2"]]);
    const one = parse(await (await get(GET, `period=${period}&tenant_id=beta`)).text(), { columns: true }) as Record<string, string>[];
    expect(one.map((r) => r.tenant_id)).toEqual(["beta"]);
    const logs = parse(await (await get(logsExport, "tenant=alpha")).text(), { columns: true }) as Record<string, string>[];
    expect(logs.map((r) => r.tenant_id)).toEqual(["alpha"]);
  });

  it("answers 400 for a missing or malformed period, 404 for an unknown tenant, 401 without a valid key", async () => {
    expect((await get(GET, "")).status).toBe(400);
    const bad = await get(GET, "period=2025-1");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ success: false, error: expect.stringContaining("YYYY-MM") });
    expect((await get(GET, `period=${period}&tenant_id=nobody`)).status).toBe(404);
    expect((await get(GET, `period=${period}`, null)).status).toBe(401);
    expect((await get(GET, `period=${period}`, "Bearer bm_revoked")).status).toBe(401);
    expect((await get(logsExport, "type=fax")).status).toBe(400);
  });

  it("streams the filtered audit log: only matching rows, header only when none match, 404 for an unknown tenant", async () => {
    const res = await get(logsExport, "type=sms&tenant=beta");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="audit-log-beta.csv"');
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.tenant_id, r.usage_type, r.provider_sid])).toEqual([["beta", "sms", sidOf("SM", 2)]]);
    const none = await (await get(logsExport, "type=voice")).text();
    expect(none.trim().split("\n")).toHaveLength(1);
    expect((await get(logsExport, "tenant=nobody")).status).toBe(404);
    expect((await get(logsExport, "from=2025-07-01&to=2025-06-01")).status).toBe(400);
    expect((await get(logsExport, "", null)).status).toBe(401);
  });

  it("a tenant caller's export holds its own rows only", async () => {
    const { db } = database();
    const tenant = { kind: "tenant" as const, tenantId: "alpha", actor: "user:a@example.com" };
    const usage = parse(await new Response(await usageCsvStream(db, { period, tenantId: tenantScopeOf(tenant, undefined) })).text(), { columns: true }) as Record<string, string>[];
    expect(usage.map((r) => r.tenant_id)).toEqual(["alpha"]);
    const filters = parseInput(auditLogFiltersSchema, {});
    const log = parse(await new Response(await auditLogCsvStream(db, { filters: { ...filters, tenant: tenantScopeOf(tenant, filters.tenant) } })).text(), { columns: true }) as Record<string, string>[];
    expect(log.length).toBeGreaterThan(0);
    expect(new Set(log.map((r) => r.tenant_id))).toEqual(new Set(["alpha"]));
  });

  it("keeps a tenant caller to its own tenant: another tenant's id is 404", () => {
    const tenant = { kind: "tenant" as const, tenantId: "alpha", actor: "user:a@example.com" };
    expect(tenantScopeOf(tenant, undefined)).toBe("alpha");
    expect(tenantScopeOf(tenant, "alpha")).toBe("alpha");
    const err = (() => {
      try {
        tenantScopeOf(tenant, "beta");
      } catch (e) {
        return e;
      }
    })();
    expect((err as BillingError).status).toBe(404);
    expect(tenantScopeOf({ kind: "ops", actor: "apikey:x" }, "beta")).toBe("beta");
  });
});
