// Reconciliation against the project's fake of Twilio's REST API, read by the real `twilio` client: what
// the webhooks missed is counted once (a webhook arriving later counts nothing more), a message counted
// with too few segments is corrected in the audit log and its counter, what Twilio did not bill counts
// nothing, each record lands in its owner's period (a Vancouver call on 1 December at 05:00 UTC is
// November's), an unmapped number's usage is kept unmatched, the drift and the inventory are recorded,
// and a second run changes nothing.
import { sql } from "drizzle-orm";
import { auditLogPage } from "@/lib/usage/audit-log";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { countOrKeepWebhookUsageEvent } from "@/lib/billing/webhook-usage";
import { createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { parseVoiceStatusCallback } from "../callbacks";
import { fakeCall, fakeIncomingPhoneNumber, fakeMessage } from "../fake-rest-api/resources";
import { mapNumberSince } from "../test-support";
import { reconcilePeriod } from "./reconcile";
import { countersByTenant, ledgerMismatches, logSumsByTenant, RECON_ACCOUNT, RECON_TOKEN, startFakeAccount, webhookCountsCall, webhookCountsMessage } from "./test-fixtures";

const UTC_NUMBER = "+14155550100";
const VAN_NUMBER = "+16045550100";
const GONE_NUMBER = "+12125550100";
const UNMAPPED_NUMBER = "+14155550199";
const CALLER = "+13105550000";
const at = (iso: string) => new Date(iso);
const account = { accountSid: RECON_ACCOUNT, authToken: RECON_TOKEN };

const answered = fakeCall({ sid: sidOf("CA", 1), accountSid: RECON_ACCOUNT, from: CALLER, to: UTC_NUMBER, startTime: at("2024-11-10T12:00:00Z"), durationSeconds: 125 });
const lostCall = fakeCall({ sid: sidOf("CA", 2), accountSid: RECON_ACCOUNT, from: CALLER, to: UTC_NUMBER, startTime: at("2024-11-11T09:30:00Z"), durationSeconds: 61, price: "-0.01700" });
const busy = fakeCall({ sid: sidOf("CA", 3), accountSid: RECON_ACCOUNT, from: CALLER, to: UTC_NUMBER, startTime: at("2024-11-12T10:00:00Z"), durationSeconds: 0, status: "busy" });
const noAnswer = fakeCall({ sid: sidOf("CA", 4), accountSid: RECON_ACCOUNT, from: UTC_NUMBER, to: CALLER, startTime: at("2024-11-12T11:00:00Z"), durationSeconds: 0, status: "no-answer", direction: "outbound-api" });
// 21:00 on 30 November in Vancouver: the Vancouver tenant's November.
const vancouverLate = fakeCall({ sid: sidOf("CA", 5), accountSid: RECON_ACCOUNT, from: CALLER, to: VAN_NUMBER, startTime: at("2024-12-01T05:00:00Z"), durationSeconds: 30 });
// The same instant is December for the UTC tenant: December's run counts it.
const utcDecember = fakeCall({ sid: sidOf("CA", 6), accountSid: RECON_ACCOUNT, from: CALLER, to: UTC_NUMBER, startTime: at("2024-12-01T05:00:00Z"), durationSeconds: 30 });
const outbound = fakeCall({ sid: sidOf("CA", 7), accountSid: RECON_ACCOUNT, from: UTC_NUMBER, to: CALLER, startTime: at("2024-11-20T16:00:00Z"), durationSeconds: 300, direction: "outbound-api" });

const threeSegments = fakeMessage({ sid: sidOf("SM", 1), accountSid: RECON_ACCOUNT, from: UTC_NUMBER, to: CALLER, dateSent: at("2024-11-12T08:00:00Z"), numSegments: 3, direction: "outbound-api", status: "delivered" });
const lostInbound = fakeMessage({ sid: sidOf("SM", 2), accountSid: RECON_ACCOUNT, from: CALLER, to: VAN_NUMBER, dateSent: at("2024-11-13T08:00:00Z"), numSegments: 2 });
const toUnmapped = fakeMessage({ sid: sidOf("SM", 3), accountSid: RECON_ACCOUNT, from: CALLER, to: UNMAPPED_NUMBER, dateSent: at("2024-11-14T08:00:00Z") });
const failedOutbound = fakeMessage({ sid: sidOf("SM", 4), accountSid: RECON_ACCOUNT, from: UTC_NUMBER, to: CALLER, dateSent: at("2024-11-15T08:00:00Z"), direction: "outbound-api", status: "failed" });
const canceled = fakeMessage({ sid: sidOf("SM", 5), accountSid: RECON_ACCOUNT, from: UTC_NUMBER, to: CALLER, dateSent: null, direction: "outbound-api", status: "canceled" });
const countedInbound = fakeMessage({ sid: sidOf("SM", 6), accountSid: RECON_ACCOUNT, from: CALLER, to: UTC_NUMBER, dateSent: at("2024-11-16T08:00:00Z") });

const numbers = [
  fakeIncomingPhoneNumber({ sid: sidOf("PN", 1), accountSid: RECON_ACCOUNT, phoneNumber: UTC_NUMBER }),
  fakeIncomingPhoneNumber({ sid: sidOf("PN", 0x22), accountSid: RECON_ACCOUNT, phoneNumber: VAN_NUMBER }),
  fakeIncomingPhoneNumber({ sid: sidOf("PN", 9), accountSid: RECON_ACCOUNT, phoneNumber: UNMAPPED_NUMBER, capabilities: { voice: false, sms: true, mms: true } }),
];

describe("reconciliation with Twilio's REST API", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "utc-tenant", "UTC");
    await createTenant(db, "van-tenant", "America/Vancouver");
    const since = at("2024-09-01T00:00:00Z");
    await mapNumberSince(db, "utc-tenant", UTC_NUMBER, 1, since);
    await mapNumberSince(db, "van-tenant", VAN_NUMBER, 2, since);
    await mapNumberSince(db, "utc-tenant", GONE_NUMBER, 3, since);
    // What the webhooks got: one call, one inbound message, and the 3-segment message counted as 1.
    expect((await webhookCountsCall(db, answered)).outcome).toBe("counted");
    expect((await webhookCountsMessage(db, countedInbound)).outcome).toBe("counted");
    expect((await webhookCountsMessage(db, threeSegments)).outcome).toBe("counted");
  });

  it("counts what the webhooks missed, corrects segments, keeps the unmapped, and records the run", async () => {
    const { db } = database();
    const api = await startFakeAccount({
      calls: [answered, lostCall, busy, noAnswer, vancouverLate, utcDecember, outbound],
      messages: [threeSegments, lostInbound, toUnmapped, failedOutbound, canceled, countedInbound],
      numbers,
    });
    try {
      const [run] = await reconcilePeriod(db, { period: "2024-11", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(run).toMatchObject({
        status: "succeeded",
        recordsRead: 12, // the canceled message was never sent: no DateSent, not listed
        counted: 4, // the lost call, the outbound call, the Vancouver call, the lost inbound message
        corrected: 1,
        alreadyCounted: 2,
        unmatched: 1,
        notBilled: 3, // busy, no-answer, failed
        outsidePeriod: 1, // the UTC tenant's 1 December call
        unreadable: 0,
      });
      // Window: the UTC tenant's November from 1 November, the Vancouver tenant's to 1 December 08:00 UTC.
      expect([run!.windowStart, run!.windowEnd]).toEqual(["2024-11-01T00:00:00.000Z", "2024-12-02T00:00:00.000Z"]);

      expect(await countersByTenant(db)).toEqual({
        // 125 s (3 min) + 61 s (2 min) + 300 s (5 min); 2 messages: one received, one sent of 3 segments.
        "utc-tenant 2024-11": { voice_calls_count: 3, voice_minutes_used: 10, voice_seconds_used: 486, sms_count_used: 2, sms_sent_count: 1, sms_received_count: 1, sms_segments_used: 4 },
        "van-tenant 2024-11": { voice_calls_count: 1, voice_minutes_used: 1, voice_seconds_used: 30, sms_count_used: 1, sms_sent_count: 0, sms_received_count: 1, sms_segments_used: 2 },
      });
      // Every counter still equals the sum of its log (usage and corrections), as the ledger's self-check says.
      expect(await ledgerMismatches(db)).toEqual([]);
      const sums = await logSumsByTenant(db);
      expect(sums["utc-tenant 2024-11"]).toEqual({ minutes: 10, seconds: 486, calls: 3, messages: 2, segments: 4 });
      expect(sums["van-tenant 2024-11"]).toEqual({ minutes: 1, seconds: 30, calls: 1, messages: 1, segments: 2 });

      const corrections = await queryRows<{ actor: string; reason: string; sms_segments: number; quantity: number; corrects: string; entry_kind: string }>(
        db,
        sql`select actor, reason, sms_segments, quantity, entry_kind, metadata ->> 'corrects' as corrects from tenant_usage_logs where actor = 'reconciliation'`,
      );
      expect(corrections).toEqual([
        {
          actor: "reconciliation",
          entry_kind: "adjustment",
          reason: "Twilio's REST API gives this message 3 segments; the ledger had 1",
          sms_segments: 2,
          quantity: 0,
          corrects: `sms:outbound:${threeSegments.sid}`,
        },
      ]);
      // The audit log's provider-SID filter finds the message and its correction.
      const bySid = await auditLogPage(db, { filters: { sid: threeSegments.sid } });
      expect(bySid.rows.map((r) => [r.entryKind, r.actor, r.smsSegments])).toEqual([
        ["adjustment", "reconciliation", 2],
        ["usage", null, 1],
      ]);

      const counted = await queryRows<{ idempotency_key: string; source: string; run: string }>(
        db,
        sql`select idempotency_key, metadata ->> 'source' as source, metadata ->> 'reconciliation_run_id' as run
            from tenant_usage_logs where metadata ->> 'source' = 'twilio_rest_api' order by idempotency_key`,
      );
      expect(counted.map((c) => c.idempotency_key).sort()).toEqual(
        [`voice:${lostCall.sid}`, `voice:${outbound.sid}`, `voice:${vancouverLate.sid}`, `sms:inbound:${lostInbound.sid}`].sort(),
      );
      expect(new Set(counted.map((c) => c.run))).toEqual(new Set([String(run!.runId)]));

      const inbox = await queryRows<{ provider_sid: string; phone_number: string }>(db, sql`select provider_sid, phone_number from unmatched_usage_events`);
      expect(inbox).toEqual([{ provider_sid: toUnmapped.sid, phone_number: UNMAPPED_NUMBER }]);

      // Twilio's price of every billed record of the period, kept under its key.
      const costs = await queryRows<{ idempotency_key: string; price: string; price_unit: string }>(
        db,
        sql`select idempotency_key, price::text as price, price_unit from twilio_usage_costs order by idempotency_key`,
      );
      expect(costs.map((c) => c.idempotency_key)).toEqual(
        [answered, lostCall, outbound, vancouverLate].map((c) => `voice:${c.sid}`).concat(
          [`sms:inbound:${lostInbound.sid}`, `sms:inbound:${toUnmapped.sid}`, `sms:inbound:${countedInbound.sid}`, `sms:outbound:${threeSegments.sid}`],
        ).sort(),
      );
      expect(costs.find((c) => c.idempotency_key === `voice:${lostCall.sid}`)).toMatchObject({ price: "-0.017000", price_unit: "USD" });

      // Drift over the UTC month: both sides agree now (the Vancouver call is in UTC December on both).
      const byMetric = Object.fromEntries(run!.drift!.map((d) => [d.metric, d]));
      expect(byMetric.calls_inbound_count).toEqual({ metric: "calls_inbound_count", twilio: 2, ledger: 2, difference: 0 });
      expect(byMetric.calls_outbound_minutes).toEqual({ metric: "calls_outbound_minutes", twilio: 5, ledger: 5, difference: 0 });
      expect(byMetric.sms_outbound_segments).toEqual({ metric: "sms_outbound_segments", twilio: 3, ledger: 3, difference: 0 });
      expect(byMetric.sms_inbound_count).toEqual({ metric: "sms_inbound_count", twilio: 3, ledger: 2, difference: -1 }); // the unmapped one

      const [row] = await queryRows<{ status: string; records_read: number; records_counted: number; records_corrected: number; records_unmatched: number; inventory: { unmapped: { phoneNumber: string; numberType: string; sid: string }[]; sidMismatches: { phoneNumber: string; twilioSid: string; mappingSid: string }[]; missingOnTwilio: { phoneNumber: string }[] } }>(
        db,
        sql`select status, records_read, records_counted, records_corrected, records_unmatched, inventory from reconciliation_runs where id = ${run!.runId}`,
      );
      expect(row).toMatchObject({ status: "succeeded", records_read: 12, records_counted: 4, records_corrected: 1, records_unmatched: 1 });
      expect(row!.inventory.unmapped).toEqual([
        { accountSid: RECON_ACCOUNT, sid: sidOf("PN", 9), phoneNumber: UNMAPPED_NUMBER, capabilities: { voice: false, sms: true, mms: true }, numberType: "sms" },
      ]);
      expect(row!.inventory.sidMismatches).toEqual([
        { accountSid: RECON_ACCOUNT, phoneNumber: VAN_NUMBER, twilioSid: sidOf("PN", 0x22), mappingSid: sidOf("PN", 2), mappingPhoneNumber: VAN_NUMBER, tenantId: "van-tenant" },
      ]);
      expect(row!.inventory.missingOnTwilio).toEqual([expect.objectContaining({ phoneNumber: GONE_NUMBER, tenantId: "utc-tenant" })]);

      // A second run changes nothing in the ledger.
      const before = await snapshotTables(db);
      const costsBefore = await queryRows(db, sql`select * from twilio_usage_costs order by 1`);
      const [again] = await reconcilePeriod(db, { period: "2024-11", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(again).toMatchObject({ status: "succeeded", counted: 0, corrected: 0, alreadyCounted: 7, unmatched: 1 });
      expect(await snapshotTables(db)).toEqual(before);
      expect(await queryRows(db, sql`select * from twilio_usage_costs order by 1`)).toEqual(costsBefore);

      // The lost call's webhook, arriving late, counts nothing more.
      const late = parseVoiceStatusCallback({
        AccountSid: RECON_ACCOUNT,
        CallSid: lostCall.sid,
        CallStatus: "completed",
        CallDuration: "61",
        Direction: "inbound",
        From: CALLER,
        To: UTC_NUMBER,
        Timestamp: lostCall.end_time!,
      });
      expect(late.countable && (await countOrKeepWebhookUsageEvent(db, late.event)).outcome).toBe("duplicate");
      expect(await snapshotTables(db)).toEqual(before);

      // December's run counts the UTC tenant's 1 December call, and not the Vancouver tenant's.
      const [december] = await reconcilePeriod(db, { period: "2024-12", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(december).toMatchObject({ status: "succeeded", counted: 1, outsidePeriod: 1 });
      expect((await countersByTenant(db))["utc-tenant 2024-12"]).toMatchObject({ voice_calls_count: 1, voice_minutes_used: 1 });
    } finally {
      await api.close();
    }
  });
});
