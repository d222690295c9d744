// Reconciliation counts call legs, channels and directions as the webhooks count them: both legs of a
// forwarded call into the number's tenant (both lost, or only the dialed leg lost, or the dialed leg
// waiting in the inbox for a parent whose callback never came), a Voice SDK Client call's two legs,
// MMS and WhatsApp messages in their own counters, minutes by direction (a correction of an outbound
// call's duration moves the outbound minutes), and a record the parsers cannot read kept with its reason.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { fakeCall, fakeIncomingPhoneNumber, fakeMessage } from "../fake-rest-api/resources";
import { mapNumberSince } from "../test-support";
import { reconcilePeriod } from "./reconcile";
import { directionalCounters, ledgerMismatches, RECON_ACCOUNT, RECON_TOKEN, startFakeAccount, webhookCountsCall } from "./test-fixtures";

const TENANT_NUMBER = "+14155550400";
const CALLER = "+13105550001";
const FORWARD_TO = "+12125550002";
const account = { accountSid: RECON_ACCOUNT, authToken: RECON_TOKEN };
const at = (iso: string) => new Date(iso);
const AC = RECON_ACCOUNT;

// Forwarded call 1: both legs lost. The dialed leg's caller ID is the caller's number (no tenant on it).
const parent1 = fakeCall({ sid: sidOf("CA", 0x101), accountSid: AC, from: CALLER, to: TENANT_NUMBER, startTime: at("2024-08-05T10:00:00Z"), durationSeconds: 130 });
const child1 = fakeCall({ sid: sidOf("CA", 0x102), accountSid: AC, from: CALLER, to: FORWARD_TO, startTime: at("2024-08-05T10:00:05Z"), durationSeconds: 120, direction: "outbound-dial", parentCallSid: parent1.sid });
// Forwarded call 2: the parent was counted by its webhook, the dialed leg's callback was lost.
const parent2 = fakeCall({ sid: sidOf("CA", 0x201), accountSid: AC, from: CALLER, to: TENANT_NUMBER, startTime: at("2024-08-06T10:00:00Z"), durationSeconds: 61 });
const child2 = fakeCall({ sid: sidOf("CA", 0x202), accountSid: AC, from: CALLER, to: FORWARD_TO, startTime: at("2024-08-06T10:00:03Z"), durationSeconds: 55, direction: "outbound-dial", parentCallSid: parent2.sid });
// Forwarded call 3: the dialed leg's webhook came and waits in the inbox; the parent's never came.
const parent3 = fakeCall({ sid: sidOf("CA", 0x301), accountSid: AC, from: CALLER, to: TENANT_NUMBER, startTime: at("2024-08-07T10:00:00Z"), durationSeconds: 200 });
const child3 = fakeCall({ sid: sidOf("CA", 0x302), accountSid: AC, from: CALLER, to: FORWARD_TO, startTime: at("2024-08-07T10:00:02Z"), durationSeconds: 190, direction: "outbound-dial", parentCallSid: parent3.sid });
// A Voice SDK call: the parent leg from a Client, the dialed leg with the tenant's number as caller ID.
const clientParent = fakeCall({ sid: sidOf("CA", 0x401), accountSid: AC, from: "client:alice", to: "", startTime: at("2024-08-08T09:00:00Z"), durationSeconds: 95 });
const clientChild = fakeCall({ sid: sidOf("CA", 0x402), accountSid: AC, from: TENANT_NUMBER, to: FORWARD_TO, startTime: at("2024-08-08T09:00:01Z"), durationSeconds: 90, direction: "outbound-dial", parentCallSid: clientParent.sid });
// An outbound call its webhook counted at 60 s; Twilio bills 125 s.
const outbound = fakeCall({ sid: sidOf("CA", 0x501), accountSid: AC, from: TENANT_NUMBER, to: CALLER, startTime: at("2024-08-09T09:00:00Z"), durationSeconds: 125, direction: "outbound-api" });

const mms = fakeMessage({ sid: sidOf("MM", 0x601), accountSid: AC, from: CALLER, to: TENANT_NUMBER, dateSent: at("2024-08-10T09:00:00Z"), numMedia: 2 });
const whatsappIn = fakeMessage({ sid: sidOf("SM", 0x602), accountSid: AC, from: `whatsapp:${CALLER}`, to: `whatsapp:${TENANT_NUMBER}`, dateSent: at("2024-08-10T10:00:00Z") });
const whatsappOut = fakeMessage({ sid: sidOf("SM", 0x603), accountSid: AC, from: `whatsapp:${TENANT_NUMBER}`, to: `whatsapp:${CALLER}`, dateSent: at("2024-08-10T11:00:00Z"), direction: "outbound-api", status: "read" });
const smsOut = fakeMessage({ sid: sidOf("SM", 0x604), accountSid: AC, from: TENANT_NUMBER, to: CALLER, dateSent: at("2024-08-10T12:00:00Z"), numSegments: 2, direction: "outbound-api" });
const unreadable = fakeMessage({ sid: sidOf("SM", 0x605), accountSid: AC, from: CALLER, to: "not-a-number", dateSent: at("2024-08-10T13:00:00Z") });

describe("reconciling legs, channels and directions", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "legs", "UTC");
    await mapNumberSince(db, "legs", TENANT_NUMBER, 0x400, at("2024-01-01T00:00:00Z"));
    expect((await webhookCountsCall(db, parent2)).outcome).toBe("counted");
    expect((await webhookCountsCall(db, child3)).outcome).toBe("unmatched");
    const outboundAt60 = { ...outbound, duration: "60", end_time: new Date(Date.parse(outbound.start_time!) + 60_000).toUTCString().replace("GMT", "+0000") };
    expect((await webhookCountsCall(db, outboundAt60)).outcome).toBe("counted");
  });

  it("counts every leg into the number's tenant, each channel in its counters, minutes by direction", async () => {
    const { db } = database();
    const api = await startFakeAccount({
      calls: [parent1, child1, parent2, child2, parent3, child3, clientParent, clientChild, outbound],
      messages: [mms, whatsappIn, whatsappOut, smsOut, unreadable],
      numbers: [fakeIncomingPhoneNumber({ sid: sidOf("PN", 0x400), accountSid: AC, phoneNumber: TENANT_NUMBER })],
    });
    try {
      const [run] = await reconcilePeriod(db, { period: "2024-08", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(run).toMatchObject({ status: "succeeded", recordsRead: 14, corrected: 1, unreadable: 1 });
      // Every leg and message is in the ledger once, routed to the tenant.
      const logged = await queryRows<{ provider_sid: string; tenant_id: string; n: number }>(
        db,
        sql`select provider_sid, tenant_id, count(*)::int as n from tenant_usage_logs where entry_kind = 'usage' group by 1, 2 order by 1`,
      );
      const sids = [parent1, child1, parent2, child2, parent3, child3, clientParent, clientChild, outbound].map((c) => c.sid).concat([mms, whatsappIn, whatsappOut, smsOut].map((m) => m.sid));
      expect(logged).toEqual(sids.sort().map((sid) => ({ provider_sid: sid, tenant_id: "legs", n: 1 })));

      const minutes = (...calls: { duration: string | null }[]) => calls.reduce((m, c) => m + Math.ceil(Number(c.duration) / 60), 0);
      expect(await directionalCounters(db, "legs", "2024-08-01")).toEqual({
        voice_calls_count: 9,
        voice_inbound_minutes: minutes(parent1, parent2, parent3, clientParent),
        voice_outbound_minutes: minutes(child1, child2, child3, clientChild, outbound),
        voice_minutes_used: minutes(parent1, child1, parent2, child2, parent3, child3, clientParent, clientChild, outbound),
        sms_count_used: 1,
        sms_segments_used: 2,
        sms_inbound_segments: 0,
        sms_outbound_segments: 2,
        mms_sent_count: 0,
        mms_received_count: 1,
        whatsapp_sent_count: 1,
        whatsapp_received_count: 1,
      });

      // The waiting leg left the inbox, counted with its parent; the unreadable record is kept with its reason.
      const inbox = await queryRows<{ provider_sid: string; status: string; reason: string }>(
        db,
        sql`select provider_sid, status, reason from unmatched_usage_events order by id`,
      );
      expect(inbox).toEqual([
        { provider_sid: child3.sid, status: "assigned", reason: expect.stringContaining(`waiting for its parent call ${parent3.sid}`) },
        { provider_sid: unreadable.sid, status: "open", reason: 'Could not be read: To is not a phone number: "not-a-number"' },
      ]);

      const [correction] = await queryRows<{ direction: string; quantity: number; voice_seconds: number; reason: string }>(
        db,
        sql`select direction, quantity, voice_seconds, reason from tenant_usage_logs where actor = 'reconciliation'`,
      );
      expect(correction).toEqual({
        direction: "outbound",
        quantity: 2,
        voice_seconds: 65,
        reason: "Twilio's REST API gives this call 125 seconds (3 min); the ledger had 60 seconds (1 min)",
      });

      expect(await ledgerMismatches(db)).toEqual([]);
      const byMetric = Object.fromEntries(run!.drift!.map((d) => [d.metric, d]));
      expect(byMetric.mms_inbound_count).toMatchObject({ twilio: 1, ledger: 1, difference: 0 });
      expect(byMetric.calls_outbound_minutes).toMatchObject({ twilio: minutes(child1, child2, child3, clientChild, outbound), difference: 0 });

      const [again] = await reconcilePeriod(db, { period: "2024-08", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(again).toMatchObject({ status: "succeeded", counted: 0, corrected: 0, alreadyCounted: 13 });
    } finally {
      await api.close();
    }
  });

  it("a dialed leg read before its parent, across the UTC midnight in a Vancouver tenant's month, is counted in that month", async () => {
    const { db } = database();
    const number = "+16045550400";
    await createTenant(db, "van-legs", "America/Vancouver");
    await mapNumberSince(db, "van-legs", number, 0x700, at("2024-01-01T00:00:00Z"));
    // 15:59 and 16:00 on 30 November in Vancouver; the dialed leg starts in UTC's December.
    const parent = fakeCall({ sid: sidOf("CA", 0x701), accountSid: AC, from: CALLER, to: number, startTime: at("2024-11-30T23:59:50Z"), durationSeconds: 40 });
    const child = fakeCall({ sid: sidOf("CA", 0x702), accountSid: AC, from: CALLER, to: FORWARD_TO, startTime: at("2024-12-01T00:00:05Z"), durationSeconds: 30, direction: "outbound-dial", parentCallSid: parent.sid });
    // The parent's day answers late: the dialed leg's page is written first.
    const api = await startFakeAccount(
      { calls: [parent, child] },
      { fault: (r) => (r.resource === "calls" && r.query.get("StartTime>") === "2024-11-30" ? { delayMs: 600 } : undefined) },
    );
    try {
      const [run] = await reconcilePeriod(db, { period: "2024-11", startedBy: "test", accounts: [account], baseUrl: api.url });
      expect(run!.status).toBe("succeeded");
      expect(await directionalCounters(db, "van-legs", "2024-11-01")).toMatchObject({ voice_calls_count: 2, voice_inbound_minutes: 1, voice_outbound_minutes: 1 });
      const [leg] = await queryRows<{ status: string; reason: string }>(db, sql`select status, resolution_reason as reason from unmatched_usage_events where provider_sid = ${child.sid}`);
      expect(leg).toEqual({ status: "assigned", reason: `Counted with parent_call:${parent.sid}, a leg of the same call` });
    } finally {
      await api.close();
    }
  });
});
