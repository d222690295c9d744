// The report and the CSV exports say what the ledger counted: checked against SQL sums, for a period
// with usage and an empty one; the CSV parses back to the same numbers.
import { parse } from "csv-parse/sync";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, logVoiceUsage, mapNumberToTenant } from "@/lib/billing";
import { BillingError } from "@/lib/errors";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { auditLogFiltersSchema, auditLogPage } from "./audit-log";
import { postUsageAdjustment } from "@/lib/billing/adjustments";
import { AUDIT_LOG_CSV_COLUMNS, auditLogCsvStream, USAGE_CSV_COLUMNS, usageCsvStream } from "./export";
import { dailyUsage, usageByNumber, usageReport } from "./report";

const actor = { actor: "user:ops@example.com" };

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("usage report and exports", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "alpha", "America/Vancouver", 'Alpha, "the first"');
    await createTenant(db, "beta");
    const a1 = await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+16045550001" }, actor);
    const a2 = await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 2), phoneNumber: "+16045550002" }, actor);
    const b1 = await mapNumberToTenant(db, { tenantId: "beta", twilioNumberSid: sidOf("PN", 3), phoneNumber: "+14155550003" }, actor);
    // Mapped "since" early 2025 so 2025 events have an owner.
    await db.execute(sql`update tenant_phone_mappings set provisioned_at = '2024-12-01T00:00:00Z'`);
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const mapping = [a1, a2, b1][i % 3]!.mapping;
      const day = String(1 + (i % 28)).padStart(2, "0");
      jobs.push(
        logVoiceUsage(db, {
          tenantId: mapping.tenantId,
          phoneMappingId: mapping.id,
          durationSeconds: 30 + i * 17,
          callSid: sidOf("CA", i),
          startedAt: new Date(`2025-06-${day}T15:00:00Z`),
          metadata: { direction: i % 2 ? "outbound-api" : "inbound" },
        }),
        logSmsUsage(db, {
          tenantId: mapping.tenantId,
          phoneMappingId: mapping.id,
          direction: i % 2 ? "inbound" : "outbound",
          messageSid: sidOf("SM", i),
          numSegments: 1 + (i % 3),
          timestamp: new Date(`2025-06-${day}T16:00:00Z`),
          channel: i % 5 === 1 ? "mms" : i % 5 === 3 ? "whatsapp" : "sms",
        }),
      );
    }
    // May, the previous period, for the change.
    jobs.push(logVoiceUsage(db, { tenantId: "beta", phoneMappingId: b1.mapping.id, durationSeconds: 600, callSid: sidOf("CA", 999), startedAt: new Date("2025-05-10T10:00:00Z") }));
    await Promise.all(jobs);
  });

  // The columns appended to the usage CSV for channels and directions.
  const NEW_COUNTER_COLUMNS = USAGE_CSV_COLUMNS.slice(USAGE_CSV_COLUMNS.indexOf("sms_segments_used") + 1);

  async function sqlTotals(period: string) {
    return queryRows<Record<string, string>>(
      database().db,
      sql`select tenant_id, sum(voice_minutes_used)::text as voice_minutes_used, sum(voice_calls_count)::text as voice_calls_count,
          sum(voice_seconds_used)::text as voice_seconds_used, sum(sms_count_used)::text as sms_count_used,
          sum(sms_sent_count)::text as sms_sent_count, sum(sms_received_count)::text as sms_received_count,
          sum(sms_segments_used)::text as sms_segments_used,
          ${sql.raw(NEW_COUNTER_COLUMNS.map((c) => `sum(${c})::text as ${c}`).join(", "))}
        from tenant_usage_counters where billing_period_start = ${`${period}-01`}::date group by tenant_id order by tenant_id`,
    );
  }

  it("the report's per-tenant totals equal the counters in SQL, with the previous period beside them", async () => {
    const { db } = database();
    const report = await usageReport(db, { period: "2025-06" });
    const expected = await sqlTotals("2025-06");
    expect(report.tenants.map((t) => t.tenantId)).toEqual(expected.map((r) => r.tenant_id));
    for (const [i, t] of report.tenants.entries()) {
      const e = expected[i]!;
      expect(t.current).toEqual({
        voiceMinutesUsed: Number(e.voice_minutes_used),
        voiceCallsCount: Number(e.voice_calls_count),
        voiceSecondsUsed: Number(e.voice_seconds_used),
        smsCountUsed: Number(e.sms_count_used),
        smsSentCount: Number(e.sms_sent_count),
        smsReceivedCount: Number(e.sms_received_count),
        smsSegmentsUsed: Number(e.sms_segments_used),
        voiceInboundMinutes: Number(e.voice_inbound_minutes),
        voiceOutboundMinutes: Number(e.voice_outbound_minutes),
        smsInboundSegments: Number(e.sms_inbound_segments),
        smsOutboundSegments: Number(e.sms_outbound_segments),
        mmsSentCount: Number(e.mms_sent_count),
        mmsReceivedCount: Number(e.mms_received_count),
        whatsappSentCount: Number(e.whatsapp_sent_count),
        whatsappReceivedCount: Number(e.whatsapp_received_count),
      });
      // Each total is its directions' sum.
      expect(t.current.voiceMinutesUsed).toBe(t.current.voiceInboundMinutes + t.current.voiceOutboundMinutes);
      expect(t.current.smsSegmentsUsed).toBe(t.current.smsInboundSegments + t.current.smsOutboundSegments);
    }
    expect(report.totals.voiceCallsCount).toBe(40);
    // 40 messages: i % 5 of 1 are MMS (8), of 3 WhatsApp (8), the rest SMS (24); every channel is a message a day.
    expect([report.totals.smsCountUsed, report.totals.mmsSentCount + report.totals.mmsReceivedCount]).toEqual([24, 8]);
    expect(report.totals.whatsappSentCount + report.totals.whatsappReceivedCount).toBe(8);
    expect(report.totals.voiceOutboundMinutes).toBeGreaterThan(0);
    const beta = report.tenants.find((t) => t.tenantId === "beta")!;
    expect(beta.previous).toMatchObject({ voiceMinutesUsed: 10, voiceCallsCount: 1 });

    const numbers = await usageByNumber(db, { period: "2025-06", tenantId: "alpha" });
    expect(numbers.map((n) => n.phoneNumber)).toEqual(["+16045550001", "+16045550002"]);
    expect(numbers.reduce((s, n) => s + n.voiceMinutesUsed, 0)).toBe(report.tenants.find((t) => t.tenantId === "alpha")!.current.voiceMinutesUsed);

    const days = await dailyUsage(db, { period: "2025-06" });
    expect(days).toHaveLength(30);
    expect(days.reduce((s, d) => s + d.messages, 0)).toBe(40);
    expect(days.reduce((s, d) => s + d.voiceMinutes, 0)).toBe(report.totals.voiceMinutesUsed);
  });

  it("an empty period reports nothing and exports the header row only", async () => {
    const { db } = database();
    expect((await usageReport(db, { period: "2024-01" })).tenants).toEqual([]);
    expect(await text(await usageCsvStream(db, { period: "2024-01" }))).toBe(`${USAGE_CSV_COLUMNS.join(",")}\n`);
  });

  it("the usage CSV parses back to the ledger's counters, one row per tenant and number", async () => {
    const { db } = database();
    const records = parse(await text(await usageCsvStream(db, { period: "2025-06" })), { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...USAGE_CSV_COLUMNS]);
    expect(records).toHaveLength(3);
    expect(records.find((r) => r.tenant_id === "alpha")!.tenant_name).toBe('Alpha, "the first"');
    const expected = await sqlTotals("2025-06");
    for (const e of expected) {
      const mine = records.filter((r) => r.tenant_id === e.tenant_id);
      for (const column of ["voice_minutes_used", "voice_calls_count", "voice_seconds_used", "sms_count_used", "sms_sent_count", "sms_received_count", "sms_segments_used", ...NEW_COUNTER_COLUMNS]) {
        expect({ tenant: e.tenant_id, column, sum: mine.reduce((s, r) => s + Number(r[column]), 0) }).toEqual({ tenant: e.tenant_id, column, sum: Number(e[column]) });
      }
    }
    expect(records.every((r) => r.period_start === "2025-06-01" && r.period_end === "2025-06-30")).toBe(true);
    const beta = parse(await text(await usageCsvStream(db, { period: "2025-06", tenantId: "beta" })), { columns: true }) as Record<string, string>[];
    expect(beta.map((r) => r.tenant_id)).toEqual(["beta"]);
  });

  it("refuses a malformed period (400) and an unknown tenant (404) before streaming", async () => {
    const { db } = database();
    const bad = await usageCsvStream(db, { period: "2025-13" }).catch((e: unknown) => e);
    expect((bad as BillingError).status).toBe(400);
    const unknown = await usageCsvStream(db, { period: "2025-06", tenantId: "nobody" }).catch((e: unknown) => e);
    expect((unknown as BillingError).status).toBe(404);
  });

  it("the audit-log CSV holds every filtered entry, newest first", async () => {
    const { db } = database();
    const filters = auditLogFiltersSchema.parse({ tenant: "beta", type: "voice" });
    const records = parse(await text(await auditLogCsvStream(db, { filters })), { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([...AUDIT_LOG_CSV_COLUMNS]);
    const expected = await queryRows<{ id: number }>(
      db,
      sql`select id::int as id from tenant_usage_logs where tenant_id = 'beta' and usage_type = 'voice' order by logged_at desc, id desc`,
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(records.map((r) => Number(r.id))).toEqual(expected.map((r) => r.id));
  });

  it("the audit log filters by channel and by direction, in the browser and the CSV alike", async () => {
    const { db } = database();
    for (const [filter, where] of [
      [{ channel: "mms" }, sql`channel = 'mms'`],
      [{ channel: "whatsapp", direction: "inbound" }, sql`channel = 'whatsapp' and direction = 'inbound'`],
      [{ type: "voice", direction: "outbound" }, sql`usage_type = 'voice' and direction = 'outbound'`],
    ] as const) {
      const filters = auditLogFiltersSchema.parse(filter);
      const expected = await queryRows<{ id: number }>(db, sql`select id::int as id from tenant_usage_logs where ${where} order by logged_at desc, id desc`);
      expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(1);
      const page = await auditLogPage(db, { filters, limit: 500 });
      expect(page.rows.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      const records = parse(await text(await auditLogCsvStream(db, { filters })), { columns: true }) as Record<string, string>[];
      expect(records.map((r) => Number(r.id))).toEqual(expected.map((r) => r.id));
    }
    expect(auditLogFiltersSchema.safeParse({ channel: "fax" }).error?.issues[0]?.message).toBe("Channel must be sms, mms or whatsapp");
  });

  it("an adjustment's reason with commas, quotes and a line break survives the audit-log CSV", async () => {
    const { db } = database();
    const [mapping] = await queryRows<{ id: string }>(db, sql`select id::text as id from tenant_phone_mappings where tenant_id = 'beta'`);
    const reason = 'Carrier re-rate, "late" report\nline two';
    await postUsageAdjustment(db, { tenantId: "beta", phoneMappingId: mapping!.id, period: "2025-06", usageType: "sms", direction: "debit", quantity: 2, reason }, actor);
    const filters = auditLogFiltersSchema.parse({ kind: "adjustment" });
    const records = parse(await text(await auditLogCsvStream(db, { filters })), { columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.reason, r.quantity, r.actor])).toEqual([[reason, "2", "user:ops@example.com"]]);
  });

  it("the audit-log CSV has every row exactly once and each field as the log holds it, whatever the chunk size", async () => {
    const { db } = database();
    // Events logged in one batch share logged_at: chunk edges fall inside such ties. The adjustment above
    // holds a reason with a comma, quotes and a line break.
    const expected = await queryRows<Record<string, string | number | null>>(
      db,
      sql`select l.id::text as id, to_char(l.logged_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as logged_at,
          to_char(l.event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as event_at, l.tenant_id, m.phone_number, l.usage_type,
          l.entry_kind, l.quantity::text as quantity, l.unit, l.voice_seconds::text as voice_seconds, l.sms_segments::text as sms_segments,
          l.direction, l.provider_sid, l.billing_period_start::text as billing_period_start, l.actor, l.reason,
          l.channel, l.parent_call_sid
        from tenant_usage_logs l join tenant_phone_mappings m on m.id = l.phone_mapping_id order by l.logged_at desc, l.id desc`,
    );
    const ties = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tenant_usage_logs group by logged_at order by 1 desc limit 1`);
    expect(ties[0]!.n).toBeGreaterThan(1);
    const asCsv = expected.map((row) => Object.fromEntries(AUDIT_LOG_CSV_COLUMNS.map((c) => [c, row[c] === null ? "" : String(row[c])])));
    for (const chunkRows of [1, 3, 7, 5000]) {
      const records = parse(await text(await auditLogCsvStream(db, { filters: {}, chunkRows })), { columns: true }) as Record<string, string>[];
      expect(records, `chunks of ${chunkRows}`).toEqual(asCsv);
    }
  });
});
