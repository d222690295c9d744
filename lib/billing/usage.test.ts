// Counting rules of the ledger: exactly once, minutes rounded up per call, the period of the event's
// time in the tenant's time zone, and bad input refused with nothing written.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { mapNumberToTenant } from "./mapping";
import { logSmsUsage, logVoiceUsage, smsMetadataOf, voiceMetadataOf } from "./usage";

const actor = { actor: "test" };

describe("usage counting", () => {
  const database = useTestDatabase();
  let utcMapping: string;
  let vancouverMapping: string;

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "utc-tenant");
    await createTenant(db, "acme-dental", "America/Vancouver");
    utcMapping = (
      await mapNumberToTenant(db, { tenantId: "utc-tenant", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+14155550101" }, actor)
    ).mapping.id;
    vancouverMapping = (
      await mapNumberToTenant(db, { tenantId: "acme-dental", twilioNumberSid: sidOf("PN", 2), phoneNumber: "+16045550102" }, actor)
    ).mapping.id;
  });

  it("a retried call counts nothing more", async () => {
    const { db } = database();
    const call = { tenantId: "utc-tenant", phoneMappingId: utcMapping, durationSeconds: 125, callSid: sidOf("CA", 100), startedAt: new Date("2025-03-10T12:00:00Z") };
    const first = await logVoiceUsage(db, call);
    const again = await logVoiceUsage(db, call);
    expect(first.counted).toBe(true);
    expect(again).toMatchObject({ counted: false, logId: first.logId, counterId: first.counterId });
    const [march] = (await countersOf(db, utcMapping)).filter((c) => c.billing_period_start === "2025-03-01");
    expect(march).toMatchObject({ voice_minutes_used: 3, voice_calls_count: 1, voice_seconds_used: 125 });
    expect(await countRows(db, "tenant_usage_logs", sql`provider_sid = ${sidOf("CA", 100)}`)).toBe(1);
  });

  it("61 seconds count 2 minutes; 0 seconds count a call and no minute", async () => {
    const { db } = database();
    const base = { tenantId: "utc-tenant", phoneMappingId: utcMapping, startedAt: new Date("2025-04-02T09:00:00Z") };
    await logVoiceUsage(db, { ...base, durationSeconds: 61, callSid: sidOf("CA", 200) });
    await logVoiceUsage(db, { ...base, durationSeconds: 0, callSid: sidOf("CA", 201) });
    await logVoiceUsage(db, { ...base, durationSeconds: 60, callSid: sidOf("CA", 202) });
    const [april] = (await countersOf(db, utcMapping)).filter((c) => c.billing_period_start === "2025-04-01");
    expect(april).toMatchObject({ voice_minutes_used: 3, voice_calls_count: 3, voice_seconds_used: 121 });
  });

  it("a NUL character in a call's metadata is kept as U+FFFD and the call counts (jsonb refuses NUL)", async () => {
    const { db } = database();
    const result = await logVoiceUsage(db, {
      tenantId: "utc-tenant", phoneMappingId: utcMapping, durationSeconds: 30, callSid: sidOf("CA", 210),
      startedAt: new Date("2025-04-03T09:00:00Z"), metadata: { "note\u0000": "a\u0000b" },
    });
    expect(result.counted).toBe(true);
    const [row] = await queryRows<{ note: string }>(db, sql`select metadata->>${"note\uFFFD"} as note from tenant_usage_logs where id = ${result.logId}`);
    expect(row).toEqual({ note: "a\uFFFDb" });
  });

  it("a call that started at 23:59:50 on the last day of a month lands in that month", async () => {
    const { db } = database();
    const result = await logVoiceUsage(db, {
      tenantId: "utc-tenant",
      phoneMappingId: utcMapping,
      durationSeconds: 30,
      callSid: sidOf("CA", 300),
      startedAt: new Date("2025-01-31T23:59:50Z"),
    });
    expect(result).toMatchObject({ counted: true, billingPeriodStart: "2025-01-01", billingPeriodEnd: "2025-01-31" });
    const [jan] = (await countersOf(db, utcMapping)).filter((c) => c.billing_period_start === "2025-01-01");
    expect(jan).toMatchObject({ voice_minutes_used: 1, voice_calls_count: 1 });
  });

  it("a tenant in America/Vancouver gets local months", async () => {
    const { db } = database();
    // 2025-03-01T05:00Z is still February 28th, 21:00 in Vancouver.
    const feb = await logVoiceUsage(db, { tenantId: "acme-dental", phoneMappingId: vancouverMapping, durationSeconds: 90, callSid: sidOf("CA", 400), startedAt: new Date("2025-03-01T05:00:00Z") });
    // 2025-03-01T09:00Z is March 1st, 01:00 in Vancouver.
    const mar = await logSmsUsage(db, { tenantId: "acme-dental", phoneMappingId: vancouverMapping, direction: "inbound", messageSid: sidOf("SM", 400), numSegments: 2, timestamp: new Date("2025-03-01T09:00:00Z") });
    expect(feb).toMatchObject({ billingPeriodStart: "2025-02-01", billingPeriodEnd: "2025-02-28" });
    expect(mar).toMatchObject({ billingPeriodStart: "2025-03-01", billingPeriodEnd: "2025-03-31" });
    const counters = await countersOf(db, vancouverMapping);
    expect(counters.find((c) => c.billing_period_start === "2025-02-01")).toMatchObject({ voice_minutes_used: 2, voice_calls_count: 1 });
    expect(counters.find((c) => c.billing_period_start === "2025-03-01")).toMatchObject({ sms_count_used: 1, sms_received_count: 1, sms_sent_count: 0, sms_segments_used: 2 });
  });

  it("a message is counted once per direction: a repeat counts nothing, the other direction counts", async () => {
    const { db } = database();
    const at = new Date("2025-05-05T10:00:00Z");
    const msg = { tenantId: "utc-tenant", phoneMappingId: utcMapping, messageSid: sidOf("SM", 500), timestamp: at };
    expect((await logSmsUsage(db, { ...msg, direction: "outbound" })).counted).toBe(true);
    expect((await logSmsUsage(db, { ...msg, direction: "outbound" })).counted).toBe(false);
    expect((await logSmsUsage(db, { ...msg, direction: "inbound" })).counted).toBe(true);
    const [may] = (await countersOf(db, utcMapping)).filter((c) => c.billing_period_start === "2025-05-01");
    expect(may).toMatchObject({ sms_count_used: 2, sms_sent_count: 1, sms_received_count: 1, sms_segments_used: 2 });
  });

  describe("bad input gets a clear error and leaves every table unchanged", () => {
    const cases: Array<[string, () => Promise<unknown>, string, RegExp]> = [
      ["unknown tenant", () => logVoiceUsage(database().db, { tenantId: "nobody", phoneMappingId: utcMapping, durationSeconds: 10, callSid: sidOf("CA", 900) }), "not_found", /Unknown tenant "nobody"/],
      ["a mapping of another tenant", () => logVoiceUsage(database().db, { tenantId: "acme-dental", phoneMappingId: utcMapping, durationSeconds: 10, callSid: sidOf("CA", 901) }), "invalid_input", /does not belong to tenant "acme-dental"/],
      ["an unknown mapping", () => logSmsUsage(database().db, { tenantId: "utc-tenant", phoneMappingId: "00000000-0000-4000-8000-000000000000", direction: "inbound", messageSid: sidOf("SM", 902) }), "not_found", /Unknown phone mapping/],
      ["a negative duration", () => logVoiceUsage(database().db, { tenantId: "utc-tenant", phoneMappingId: utcMapping, durationSeconds: -1, callSid: sidOf("CA", 903) }), "invalid_input", /durationSeconds must be zero or more/],
      ["a direction other than inbound/outbound", () => logSmsUsage(database().db, { tenantId: "utc-tenant", phoneMappingId: utcMapping, direction: "sideways" as "inbound", messageSid: sidOf("SM", 904) }), "invalid_input", /direction must be "inbound" or "outbound"/],
      ["a missing call sid", () => logVoiceUsage(database().db, { tenantId: "utc-tenant", phoneMappingId: utcMapping, durationSeconds: 5, callSid: "  " }), "invalid_input", /callSid is required/],
    ];
    for (const [name, run, code, message] of cases) {
      it(name, async () => {
        const before = await snapshotTables(database().db);
        const error = await run().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(BillingError);
        expect((error as BillingError).code).toBe(code);
        expect((error as BillingError).message).toMatch(message);
        expect(await snapshotTables(database().db)).toEqual(before);
      });
    }
  });

  describe("the SQL functions refuse bad input themselves (psql users skip the TypeScript checks)", () => {
    const sqlCases: Array<[string, string, RegExp]> = [
      ["negative duration", `select log_voice_usage('utc-tenant', '%M'::uuid, -5, '{"call_sid":"CAneg"}')`, /Call duration must be zero or more seconds/],
      ["unknown tenant", `select log_voice_usage('ghost', '%M'::uuid, 5, '{"call_sid":"CAghost"}')`, /Unknown tenant "ghost"/],
      ["bad direction", `select log_sms_usage('utc-tenant', '%M'::uuid, 'up', '{"message_sid":"SMup"}')`, /SMS direction must be "inbound" or "outbound", got "up"/],
      ["no message sid", `select log_sms_usage('utc-tenant', '%M'::uuid, 'inbound', '{}')`, /must carry the message_sid/],
      ["bad timestamp", `select log_voice_usage('utc-tenant', '%M'::uuid, 5, '{"call_sid":"CAts","started_at":"yesterday"}')`, /must be an ISO 8601 time/],
      ["bad segments", `select log_sms_usage('utc-tenant', '%M'::uuid, 'inbound', '{"message_sid":"SMseg","num_segments":"0"}')`, /num_segments must be a whole number from 1/],
    ];
    for (const [name, statement, message] of sqlCases) {
      it(name, async () => {
        const { db } = database();
        const before = await snapshotTables(db);
        const error = await db.execute(sql.raw(statement.replace("%M", utcMapping))).then(() => undefined, (e: unknown) => e);
        expect(String((error as { cause?: Error })?.cause?.message ?? (error as Error)?.message)).toMatch(message);
        expect(await snapshotTables(db)).toEqual(before);
      });
    }
  });

  // On PostgreSQL the 200 calls race on real connections; PGlite serialises them on its one connection.
  it(
    "200 concurrent calls for one number, duplicates among them, leave exact counters and one log row per call",
    async () => {
      const { db } = database();
      const at = new Date("2025-06-15T12:00:00Z");
      const distinct = 150;
      const calls = Array.from({ length: 200 }, (_, i) => {
        const n = i % distinct; // calls 150..199 repeat calls 0..49
        return { tenantId: "utc-tenant", phoneMappingId: utcMapping, durationSeconds: 30 + n, callSid: sidOf("CA", 10_000 + n), startedAt: at };
      });
      const results = await Promise.all(calls.map((c) => logVoiceUsage(db, c)));
      expect(results.filter((r) => r.counted)).toHaveLength(distinct);
      const expectedMinutes = Array.from({ length: distinct }, (_, n) => Math.ceil((30 + n) / 60)).reduce((a, b) => a + b, 0);
      const expectedSeconds = Array.from({ length: distinct }, (_, n) => 30 + n).reduce((a, b) => a + b, 0);
      const [june] = (await countersOf(db, utcMapping)).filter((c) => c.billing_period_start === "2025-06-01");
      expect(june).toMatchObject({ voice_calls_count: distinct, voice_minutes_used: expectedMinutes, voice_seconds_used: expectedSeconds });
      const [logs] = await queryRows<{ n: number; keys: number }>(
        db,
        sql`select count(*)::int as n, count(distinct idempotency_key)::int as keys from tenant_usage_logs where billing_period_start = '2025-06-01' and phone_mapping_id = ${utcMapping}::uuid`,
      );
      expect(logs).toEqual({ n: distinct, keys: distinct });
    },
  );
});

describe("the metadata stored with an event", () => {
  it("is a copy of the caller's with the keys the SQL function reads, an own __proto__ key included", () => {
    const callers = JSON.parse('{"__proto__": {"polluted": true}, "source": "api", "call_sid": "overwritten"}') as Record<string, unknown>;
    const startedAt = new Date("2026-03-01T12:00:00.000Z");
    const voice = voiceMetadataOf({ metadata: callers, callSid: "CA1", startedAt });
    expect(Object.getPrototypeOf(voice)).toBe(Object.prototype);
    expect(Object.hasOwn(voice, "__proto__")).toBe(true);
    expect(JSON.parse(JSON.stringify(voice))).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "source": "api", "call_sid": "CA1", "started_at": "2026-03-01T12:00:00.000Z"}'));
    const sms = smsMetadataOf({ metadata: { source: "api" }, messageSid: "SM1", numSegments: 3, timestamp: startedAt });
    expect(sms).toEqual({ source: "api", message_sid: "SM1", num_segments: 3, timestamp: "2026-03-01T12:00:00.000Z" });
    expect(smsMetadataOf({ metadata: {}, messageSid: "SM2", numSegments: undefined, timestamp: undefined })).toEqual({ message_sid: "SM2" });
    // The caller's object is left as it was.
    expect(callers.call_sid).toBe("overwritten");
  });
});
