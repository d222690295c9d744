// The mapping API: success and re-map answers as the original design's edge function gave them, and
// every refusal (400, 401, 404, 409, 413, 415) with its status, a clear error and the tables unchanged.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { expectMatchesOpenApi } from "@/lib/testing/openapi";
import { POST } from "./route";

const URL = "http://127.0.0.1:3000/api/ops/map-number-to-tenant";
const body = {
  tenant_id: "test-tenant-123",
  twilio_number_sid: sidOf("PN", 0x1234),
  phone_number: "+12505551234",
};

describe("POST /api/ops/map-number-to-tenant", () => {
  const database = useTestDatabase();
  let key: string;
  let revokedKey: string;

  function post(payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return POST(
      new Request(URL, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
        body: typeof payload === "string" ? payload : JSON.stringify(payload),
      }),
    );
  }

  async function expectRefused(res: Response, status: number, error: RegExp | string): Promise<Record<string, unknown>> {
    const json = (await res.json()) as Record<string, unknown>;
    expect({ status: res.status, success: json.success }).toEqual({ status, success: false });
    expectMatchesOpenApi("/api/ops/map-number-to-tenant", "post", status, json);
    if (typeof error === "string") expect(json.error).toBe(error);
    else expect(json.error).toMatch(error);
    return json;
  }

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "test-tenant-123");
    await createTenant(db, "other-tenant");
    key = (await createApiKey(db, { name: "provisioning" }, { actor: "user:ops@example.com" })).key;
    const revoked = await createApiKey(db, { name: "old" }, { actor: "user:ops@example.com" });
    await revokeApiKey(db, { id: revoked.id }, { actor: "user:ops@example.com" });
    revokedKey = revoked.key;
  });

  it("maps a number, initialises its counter, and answers the design's response; a repeat says (updated)", async () => {
    const { db } = database();
    const res = await post(body);
    expect(res.status).toBe(200);
    const json = (await res.json()) as { mapping: { id: string } } & Record<string, unknown>;
    expectMatchesOpenApi("/api/ops/map-number-to-tenant", "post", 200, json);
    expect(json).toMatchObject({
      success: true,
      created: true,
      message: "Mapped number to tenant and initialized usage counters",
      evidence: "✅ Mapped +12505551234 to tenant and initialized usage counters",
      mapping: { tenant_id: "test-tenant-123", phone_number: "+12505551234", twilio_number_sid: body.twilio_number_sid, number_type: "both" },
    });
    expect(await countRows(db, "tenant_usage_counters", sql`phone_mapping_id = ${json.mapping.id}::uuid`)).toBe(1);
    const [event] = await queryRows<{ actor: string }>(db, sql`select actor from analytics_events where event_type = 'number_mapped'`);
    expect(event!.actor).toBe("apikey:provisioning");

    const again = await post({ ...body, number_type: "voice" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      success: true,
      created: false,
      evidence: "✅ Mapped +12505551234 to tenant and initialized usage counters (updated)",
      mapping: { id: json.mapping.id, number_type: "voice" },
    });
    expect(await countRows(db, "tenant_phone_mappings")).toBe(1);
    expect(await countRows(db, "tenant_usage_counters")).toBe(1);
  });

  it("refuses each bad request with its status and writes nothing", async () => {
    const { db } = database();
    const before = await snapshotTables(db);

    await expectRefused(await post(body, { authorization: "" }), 401, /API key/);
    await expectRefused(await post(body, { authorization: "Bearer bm_wrong" }), 401, "The API key is not valid or has been revoked");
    await expectRefused(await post(body, { authorization: `Bearer ${revokedKey}` }), 401, "The API key is not valid or has been revoked");
    await expectRefused(await post(body, { "content-type": "text/plain" }), 415, /JSON/);
    await expectRefused(await post("{not json"), 400, "The body is not valid JSON");
    await expectRefused(await post({ ...body, padding: "x".repeat(70_000) }), 413, /at most/);

    const invalid = await expectRefused(await post({ tenant_id: "", twilio_number_sid: "PN123", phone_number: "250555" }), 400, /./);
    expect(Object.keys(invalid.fieldErrors as object).sort()).toEqual(["phone_number", "tenant_id", "twilio_number_sid"]);
    await expectRefused(await post({ ...body, number_type: "fax" }), 400, /./);
    await expectRefused(await post([body]), 400, /./);

    await expectRefused(await post({ ...body, tenant_id: "no-such-tenant" }), 404, 'Unknown tenant "no-such-tenant"');
    await expectRefused(await post({ ...body, tenant_id: "other-tenant", twilio_number_sid: sidOf("PN", 0x9999) }), 409, /other|mapped/);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("moves the number to another tenant when transfer is asked for", async () => {
    const { db } = database();
    const res = await post({ ...body, tenant_id: "other-tenant", transfer: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, created: true, transferred_from: "test-tenant-123", mapping: { tenant_id: "other-tenant" } });
    const active = await queryRows<{ tenant_id: string }>(
      db,
      sql`select tenant_id from tenant_phone_mappings where phone_number = '+12505551234' and deprovisioned_at is null`,
    );
    expect(active).toEqual([{ tenant_id: "other-tenant" }]);
  });
});
