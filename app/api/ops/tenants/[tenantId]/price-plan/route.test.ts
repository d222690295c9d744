// The price-plan API: PUT stores a new version (the history stays), GET returns it; every bad field is a
// 400 naming it, an unknown tenant 404, no or a bad key 401, and nothing is written on any error.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { countRows, createTenant, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { expectMatchesOpenApi } from "@/lib/testing/openapi";
import { GET, PUT } from "./route";

const plan = {
  currency: "USD",
  number_monthly_fee: { local: "1.15", toll_free: "2.15" },
  charges: { voice_inbound_minutes: { unit_price: "0.0085", included: 100 }, sms_outbound_segments: { unit_price: "0.0079", included: 0 } },
};

describe("PUT / GET /api/ops/tenants/{tenantId}/price-plan", () => {
  const database = useTestDatabase();
  let key = "";

  const call = (handler: typeof PUT, tenantId: string, body?: unknown, headers: Record<string, string> = {}) =>
    handler(
      new Request(`http://127.0.0.1/api/ops/tenants/${tenantId}/price-plan`, {
        method: body === undefined ? "GET" : "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      }),
      { params: Promise.resolve({ tenantId }) },
    );

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "plan-tenant");
    key = (await createApiKey(db, { name: "pricing" }, { actor: "test" })).key;
  });

  it("stores the plan and returns it on GET, with its history; a metric left out is not in it", async () => {
    const { db } = database();
    const put = await call(PUT, "plan-tenant", plan);
    expect(put.status).toBe(200);
    const stored = (await put.json()) as Record<string, unknown>;
    expectMatchesOpenApi("/api/ops/tenants/{tenantId}/price-plan", "put", 200, stored);
    const period = new Date().toISOString().slice(0, 7);
    expect(stored).toMatchObject({
      success: true,
      tenant_id: "plan-tenant",
      effective_from: period,
      currency: "USD",
      number_monthly_fee: { local: "1.15", toll_free: "2.15" },
      charges: { voice_inbound_minutes: { unit_price: "0.0085", included: 100 }, sms_outbound_segments: { unit_price: "0.0079", included: 0 } },
      created_by: "apikey:pricing",
    });
    expect(Object.keys(stored.charges as object)).toEqual(["voice_inbound_minutes", "sms_outbound_segments"]);
    const get = await call(GET, "plan-tenant");
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual(stored);

    const changed = await call(PUT, "plan-tenant", { ...plan, charges: {} });
    const json = (await changed.json()) as { charges: object; history: unknown[] };
    expect(json.charges).toEqual({});
    expect(json.history).toHaveLength(2);
    expect(await countRows(db, "price_plans")).toBe(2);
    const [event] = await queryRows<{ actor: string }>(db, sql`select actor from analytics_events where event_type = 'price_plan_set' limit 1`);
    expect(event?.actor).toBe("apikey:pricing");
  });

  it("refuses every bad field with 400 naming it, and writes nothing", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const refused = async (body: unknown) => {
      const res = await call(PUT, "plan-tenant", body);
      const json = (await res.json()) as { success: boolean; error: string; fieldErrors?: Record<string, string[]> };
      expect({ status: res.status, success: json.success }).toEqual({ status: 400, success: false });
      expect(json.error).not.toBe("");
      expectMatchesOpenApi("/api/ops/tenants/{tenantId}/price-plan", "put", 400, json);
      return Object.keys(json.fieldErrors ?? {}).sort();
    };
    expect(
      await refused({
        currency: "usd",
        number_monthly_fee: { local: "-1", toll_free: 2.15 },
        charges: { voice_inbound_minutes: { unit_price: "0.0000001", included: -1 }, sms_outbound_segments: { unit_price: "1e-3", included: 1.5 } },
      }),
    ).toEqual([
      "charges.sms_outbound_segments.included",
      "charges.sms_outbound_segments.unit_price",
      "charges.voice_inbound_minutes.included",
      "charges.voice_inbound_minutes.unit_price",
      "currency",
      "number_monthly_fee.local",
      "number_monthly_fee.toll_free",
    ]);
    expect(await refused({ ...plan, currency: "XYZ" })).toEqual(["currency"]);
    expect(await refused({ ...plan, currency: "JPY" })).toEqual(["currency"]);
    expect(await refused({ ...plan, charges: { fax_pages: { unit_price: "1.00" } } })).toEqual(["charges"]);
    expect(await refused({ ...plan, charges: { voice_inbound_minutes: { unit_price: "0.01", extra: 1 } } })).toEqual(["charges.voice_inbound_minutes"]);
    expect(await refused({ ...plan, number_monthly_fee: { local: "1.00" } })).toEqual(["number_monthly_fee.toll_free"]);
    expect(await refused({ ...plan, number_monthly_fee: { local: "1234567890123.00", toll_free: "1.00" } })).toEqual(["number_monthly_fee.local"]);
    expect(await refused({ ...plan, discount: "10%" })).toEqual(["_"]);
    expect(await refused({ number_monthly_fee: plan.number_monthly_fee })).toEqual(["currency"]);
    expect(await refused([plan])).toEqual(["_"]);
    expect((await call(PUT, "plan-tenant", "{not json")).status).toBe(400);
    expect((await call(PUT, "plan-tenant", plan, { "content-type": "text/plain" })).status).toBe(415);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("answers 404 for an unknown tenant, 400 for a malformed one, 401 without a valid key; nothing written", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const unknown = await call(PUT, "no-such-tenant", plan);
    expect(unknown.status).toBe(404);
    const unknownBody = await unknown.json();
    expect(unknownBody).toEqual({ success: false, error: 'Unknown tenant "no-such-tenant"' });
    expectMatchesOpenApi("/api/ops/tenants/{tenantId}/price-plan", "put", 404, unknownBody);
    expect((await call(GET, "no-such-tenant")).status).toBe(404);
    expect((await call(PUT, "bad tenant!", plan)).status).toBe(400);
    expect((await call(PUT, "plan-tenant", plan, { authorization: "Bearer bm_wrong" })).status).toBe(401);
    expect((await call(GET, "plan-tenant", undefined, { authorization: "" })).status).toBe(401);
    expect((await call(GET, "plan-tenant", undefined, { authorization: "Bearer bm_wrong" })).status).toBe(401);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("GET answers 404 for a tenant without a plan, and for a period before its first plan", async () => {
    const { db } = database();
    await createTenant(db, "no-plan");
    const res = await call(GET, "no-plan");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('Tenant "no-plan" has no price plan');
    const early = await GET(new Request("http://127.0.0.1/api/ops/tenants/plan-tenant/price-plan?period=2020-01", { headers: { authorization: `Bearer ${key}` } }), {
      params: Promise.resolve({ tenantId: "plan-tenant" }),
    });
    expect(early.status).toBe(404);
  });
});
