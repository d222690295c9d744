// The original design's manual checks (BILLING_MAP_VERIFICATION.md), run as written: tests 1, 2 and 6
// in SQL; test 3's curl body through the mapping API; tests 4 and 5 (the form's values, then the
// same number again) through the form's schema and the mapping it calls. Its SID,
// PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, is PN and 32 letters: accepted; a wrong prefix or length is not.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as mapNumberRoute } from "@/app/api/ops/map-number-to-tenant/route";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { mapNumberSchema, mapNumberToTenant } from "@/lib/billing";
import { BillingError } from "@/lib/errors";
import { createTenant, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { parseInput } from "@/lib/validation";

describe("the original design's manual checks", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "test-tenant-123");
    await mapNumberToTenant(
      db,
      {
        tenantId: "test-tenant-123",
        twilioNumberSid: "PN0123456789abcdef0123456789abcdef",
        phoneNumber: "+12505551234",
        numberType: "both",
      },
      { actor: "test" },
    );
  });

  it("test 1: the three tables exist", async () => {
    const rows = await queryRows<{ table_name: string }>(
      database().db,
      sql.raw(`SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public'
AND table_name IN ('tenant_phone_mappings', 'tenant_usage_counters', 'tenant_usage_logs');`),
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual([
      "tenant_phone_mappings",
      "tenant_usage_counters",
      "tenant_usage_logs",
    ]);
  });

  it("test 2: the three functions exist", async () => {
    const rows = await queryRows<{ routine_name: string }>(
      database().db,
      sql.raw(`SELECT routine_name FROM information_schema.routines
WHERE routine_schema = 'public'
AND routine_name IN ('get_or_create_usage_counter', 'log_voice_usage', 'log_sms_usage');`),
    );
    expect(rows.map((r) => r.routine_name).sort()).toEqual([
      "get_or_create_usage_counter",
      "log_sms_usage",
      "log_voice_usage",
    ]);
  });

  it("test 6: logging a 3-minute call and an outbound SMS updates the counter", async () => {
    const { db } = database();
    await db.execute(
      sql.raw(`SELECT log_voice_usage(
  'test-tenant-123',
  (SELECT id FROM tenant_phone_mappings WHERE phone_number = '+12505551234'),
  180, -- 3 minutes
  '{"call_sid": "CAxxxxxx", "from": "+12505559999", "to": "+12505551234"}'::jsonb
);`),
    );
    const [afterVoice] = await queryRows<{ voice_minutes_used: number; voice_calls_count: number }>(
      db,
      sql.raw(`SELECT * FROM tenant_usage_counters
WHERE tenant_id = 'test-tenant-123';`),
    );
    expect(afterVoice).toMatchObject({ voice_minutes_used: 3, voice_calls_count: 1 });

    await db.execute(
      sql.raw(`SELECT log_sms_usage(
  'test-tenant-123',
  (SELECT id FROM tenant_phone_mappings WHERE phone_number = '+12505551234'),
  'outbound',
  '{"message_sid": "SMxxxxxx", "to": "+12505559999", "body": "Test"}'::jsonb
);`),
    );
    const rows = await queryRows<{ sms_count_used: number; sms_sent_count: number; voice_minutes_used: number }>(
      db,
      sql.raw(`SELECT * FROM tenant_usage_counters
WHERE tenant_id = 'test-tenant-123';`),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ sms_count_used: 1, sms_sent_count: 1, voice_minutes_used: 3 });
  });

});

// Test 3's body, verbatim from the checklist (only the URL and the key are the deployment's).
const TEST_3_BODY = `{
    "tenant_id": "test-tenant-123",
    "twilio_number_sid": "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "phone_number": "+12505551234",
    "number_type": "both"
  }`;

describe("the original design's tests 3 to 5, with its SID PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", () => {
  const database = useTestDatabase();
  let key: string;
  const post = (body: string) =>
    mapNumberRoute(
      new Request("http://127.0.0.1:3000/api/ops/map-number-to-tenant", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body,
      }),
    );

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "test-tenant-123");
    key = (await createApiKey(db, { name: "checklist" }, { actor: "test" })).key;
  });

  it("test 3: the curl body maps the number (success and the design's evidence)", async () => {
    const res = await post(TEST_3_BODY);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, evidence: "✅ Mapped +12505551234 to tenant and initialized usage counters" });
    const [row] = await queryRows<{ twilio_number_sid: string }>(database().db, sql`select twilio_number_sid from tenant_phone_mappings where phone_number = '+12505551234'`);
    expect(row?.twilio_number_sid).toBe("PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  });

  it("tests 4 and 5: the form's values pass the form's schema; the same number again answers (updated), no error", async () => {
    const { db } = database();
    const form = parseInput(mapNumberSchema, {
      tenantId: "test-tenant-123",
      twilioNumberSid: "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      phoneNumber: "+12505551234",
      numberType: "both",
    });
    const again = await mapNumberToTenant(db, form, { actor: "test" });
    expect(again.evidence).toBe("✅ Mapped +12505551234 to tenant and initialized usage counters (updated)");
    const repeated = await post(TEST_3_BODY);
    expect(await repeated.json()).toMatchObject({ success: true, evidence: "✅ Mapped +12505551234 to tenant and initialized usage counters (updated)" });
  });

  it("a wrong prefix or length is still refused, with a clear message, by the API, the form's schema and the table", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    for (const sid of ["PXxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "pnxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "PNxxxxxxxxxxxxxxx xxxxxxxxxxxxxxxx"]) {
      const res = await post(TEST_3_BODY.replace("PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", sid));
      expect({ sid, status: res.status }).toEqual({ sid, status: 400 });
      expect(await res.json()).toMatchObject({
        success: false,
        fieldErrors: { twilio_number_sid: ["Twilio Number SID must be PN followed by 32 letters or digits"] },
      });
      expect(() => parseInput(mapNumberSchema, { tenantId: "test-tenant-123", twilioNumberSid: sid, phoneNumber: "+12505551234" })).toThrow(BillingError);
    }
    expect(await snapshotTables(db)).toEqual(before);
    // The table's own check refuses what the schemas refuse (a psql user, a script).
    await expect(
      db.execute(sql`update tenant_phone_mappings set twilio_number_sid = 'PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' where phone_number = '+12505551234'`),
    ).rejects.toMatchObject({ cause: { code: "23514" } });
    await db.execute(sql`update tenant_phone_mappings set twilio_number_sid = 'PN0123456789abcdefABCDEFxyzXYZ0123' where phone_number = '+12505551234'`);
  });
});
