// Alerts fire once at 80 % and once at 100 % of an allowance, even under concurrent events; adjustments
// move the counters with an entry naming actor and reason, once per form submission, and bad ones write nothing.
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { tenants } from "@/db/schema";
import { countersOf, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { postUsageAdjustment } from "./adjustments";
import { listAlerts } from "./alerts";
import { mapNumberToTenant } from "./mapping";
import { logSmsUsage, logVoiceUsage } from "./usage";
import { refusal } from "@/lib/testing/refusal";

const actor = { actor: "user:ops@example.com" };

describe("usage alerts", () => {
  const database = useTestDatabase();
  const mappings: string[] = [];

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "capped");
    await db.update(tenants).set({ smsAllowance: 100, voiceMinutesAllowance: 50 }).where(eq(tenants.id, "capped"));
    for (let i = 0; i < 4; i++) {
      const { mapping } = await mapNumberToTenant(db, { tenantId: "capped", twilioNumberSid: sidOf("PN", 0x100 + i), phoneNumber: `+1415555020${i}` }, actor);
      mappings.push(mapping.id);
    }
  });

  it("records nothing below 80 %, then 80 % and 100 % exactly once each under 130 concurrent messages", async () => {
    const { db } = database();
    await Promise.all(
      Array.from({ length: 79 }, (_, i) =>
        logSmsUsage(db, { tenantId: "capped", phoneMappingId: mappings[i % 4]!, direction: "outbound", messageSid: sidOf("SM", 0x1000 + i) }),
      ),
    );
    expect(await listAlerts(db, { tenantId: "capped" })).toEqual([]);
    await Promise.all(
      Array.from({ length: 130 }, (_, i) =>
        logSmsUsage(db, { tenantId: "capped", phoneMappingId: mappings[i % 4]!, direction: "inbound", messageSid: sidOf("SM", 0x2000 + i) }),
      ),
    );
    const alerts = await listAlerts(db, { tenantId: "capped" });
    expect(alerts.map((a) => [a.metric, a.thresholdPercent]).sort()).toEqual([["sms", 100], ["sms", 80]]);
    expect(alerts.every((a) => a.allowance === 100)).toBe(true);
    const [events] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from analytics_events where event_type = 'usage_alert' and tenant_id = 'capped'`);
    expect(events!.n).toBe(2);
  });

  it("voice minutes are watched on their own allowance", async () => {
    const { db } = database();
    // 40 minutes of 50 = 80 %.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        logVoiceUsage(db, { tenantId: "capped", phoneMappingId: mappings[i % 4]!, durationSeconds: 300, callSid: sidOf("CA", 0x300 + i) }),
      ),
    );
    const voice = (await listAlerts(db, { tenantId: "capped" })).filter((a) => a.metric === "voice_minutes");
    expect(voice.map((a) => a.thresholdPercent)).toEqual([80]);
    expect(voice[0]!.usageValue).toBe(40);
  });
});

describe("usage adjustments", () => {
  const database = useTestDatabase();
  let mappingId = "";
  const period = new Date().toISOString().slice(0, 7);

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "acme");
    await createTenant(db, "other");
    mappingId = (await mapNumberToTenant(db, { tenantId: "acme", twilioNumberSid: sidOf("PN", 0x9), phoneNumber: "+16045550909" }, actor)).mapping.id;
    await logVoiceUsage(db, { tenantId: "acme", phoneMappingId: mappingId, durationSeconds: 600, callSid: sidOf("CA", 0x9) });
  });

  it("a credit and a debit move the counters and append entries with actor and reason; a resubmission counts once", async () => {
    const { db } = database();
    const credit = await postUsageAdjustment(
      db,
      { tenantId: "acme", phoneMappingId: mappingId, period, usageType: "voice", direction: "credit", quantity: 4, reason: "Dropped call refunded", idempotencyKey: "form-attempt-0001" },
      actor,
    );
    expect(credit.counted).toBe(true);
    const again = await postUsageAdjustment(
      db,
      { tenantId: "acme", phoneMappingId: mappingId, period, usageType: "voice", direction: "credit", quantity: 4, reason: "Dropped call refunded", idempotencyKey: "form-attempt-0001" },
      actor,
    );
    expect(again).toMatchObject({ counted: false, logId: credit.logId });
    await postUsageAdjustment(db, { tenantId: "acme", phoneMappingId: mappingId, period, usageType: "sms", direction: "debit", quantity: 3, reason: "Carrier report" }, actor);
    const [counter] = await countersOf(db, mappingId);
    expect(counter).toMatchObject({ voice_minutes_used: 6, voice_calls_count: 1, sms_count_used: 3 });
    const entries = await queryRows<{ quantity: number; actor: string; reason: string; unit: string }>(
      db,
      sql`select quantity, actor, reason, unit from tenant_usage_logs where entry_kind = 'adjustment' order by id`,
    );
    expect(entries).toEqual([
      { quantity: -4, actor: "user:ops@example.com", reason: "Dropped call refunded", unit: "minutes" },
      { quantity: 3, actor: "user:ops@example.com", reason: "Carrier report", unit: "messages" },
    ]);
  });

  it("refuses a missing reason, a foreign mapping, an unknown tenant, a bad period and an oversized credit, writing nothing", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const base = { tenantId: "acme", phoneMappingId: mappingId, period, usageType: "voice" as const, direction: "credit" as const, quantity: 1, reason: "Valid reason" };
    const noReason = await refusal(() => postUsageAdjustment(db, { ...base, reason: " " }, actor));
    expect(noReason.fieldErrors?.reason).toBeDefined();
    const foreign = await refusal(() => postUsageAdjustment(db, { ...base, tenantId: "other" }, actor));
    expect([foreign.status, foreign.message]).toEqual([400, `Phone mapping ${mappingId} does not belong to tenant "other"`]);
    expect((await refusal(() => postUsageAdjustment(db, { ...base, tenantId: "nobody" }, actor))).status).toBe(404);
    expect((await refusal(() => postUsageAdjustment(db, { ...base, period: "2025-13" }, actor))).status).toBe(400);
    expect((await refusal(() => postUsageAdjustment(db, { ...base, quantity: 0 }, actor))).status).toBe(400);
    const tooMuch = await refusal(() => postUsageAdjustment(db, { ...base, quantity: 7 }, actor));
    expect([tooMuch.status, tooMuch.message]).toEqual([400, "the credit is larger than the inbound minutes the counter holds for this period"]);
    expect(await snapshotTables(db)).toEqual(before);
  });
});
