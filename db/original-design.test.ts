// The original design's manual checks (BILLING_MAP_VERIFICATION.md, tests 1, 2 and 6), run as written.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { mapNumberToTenant } from "@/lib/billing";
import { createTenant, useTestDatabase } from "@/lib/testing/db";

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
