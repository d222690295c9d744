// The message status callback: an outbound message counts once, as sent by the From number, at the first
// status Twilio bills; every other status, and every later callback of the message, counts nothing.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { useDatabaseForTests } from "@/db/client";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase, type CounterRow } from "@/lib/testing/db";
import { configureTwoTwilioAccounts, mapNumberSince, messageStatusParams, signedTwilioPost } from "@/lib/twilio/test-support";
import { POST } from "./route";

configureTwoTwilioAccounts();
const PATH = "/api/twilio/sms/status";
const send = (params: Record<string, string>) => POST(signedTwilioPost(PATH, params));
const status = (sid: string, s: string, over: Record<string, string> = {}) =>
  messageStatusParams({ MessageSid: sid, MessageStatus: s, SmsStatus: s, ...over });

const COUNTER_COLUMNS = ["voice_minutes_used", "voice_calls_count", "voice_seconds_used", "sms_count_used", "sms_sent_count", "sms_received_count", "sms_segments_used"] as const;
type Counted = Record<(typeof COUNTER_COLUMNS)[number], number>;
const NOTHING = Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, 0])) as Counted;

describe("POST /api/twilio/sms/status", () => {
  const database = useTestDatabase();
  let clinic: string;

  /** What `run` added to each counter column of the clinic's number: every test stands on its own. */
  async function countedBy(run: () => Promise<void>): Promise<Counted> {
    const sums = async () => {
      const rows: CounterRow[] = await countersOf(database().db, clinic);
      return Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, rows.reduce((n, r) => n + Number(r[c]), 0)])) as Counted;
    };
    const before = await sums();
    await run();
    const after = await sums();
    return Object.fromEntries(COUNTER_COLUMNS.map((c) => [c, after[c] - before[c]])) as Counted;
  }

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    clinic = await mapNumberSince(db, "clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
  });

  it("queued, sent, delivered and a duplicate delivered count one sent message of one segment", async () => {
    const { db } = database();
    const sid = sidOf("SM", 0x20);
    const outcomes: string[] = [];
    const counted = await countedBy(async () => {
      for (const s of ["queued", "sent", "delivered", "delivered"]) {
        const res = await send(status(sid, s));
        expect(res.status).toBe(200);
        outcomes.push(((await res.json()) as { outcome: string }).outcome);
      }
    });
    expect(outcomes).toEqual(["ignored", "counted", "duplicate", "duplicate"]);
    expect(counted).toEqual({ ...NOTHING, sms_count_used: 1, sms_sent_count: 1, sms_segments_used: 1 });
    expect(await countRows(db, "tenant_usage_logs", sql`idempotency_key = ${"sms:outbound:" + sid}`)).toBe(1);
  });

  it("callbacks out of order (delivered before sent) and undelivered count the message once", async () => {
    const { db } = database();
    const counted = await countedBy(async () => {
      for (const s of ["delivered", "sending", "sent", "queued"]) expect((await send(status(sidOf("SM", 0x21), s))).status).toBe(200);
      for (const s of ["undelivered", "sent"]) expect((await send(status(sidOf("SM", 0x22), s))).status).toBe(200);
    });
    expect(counted).toEqual({ ...NOTHING, sms_count_used: 2, sms_sent_count: 2, sms_segments_used: 2 });
    for (const n of [0x21, 0x22]) expect(await countRows(db, "tenant_usage_logs", sql`idempotency_key = ${"sms:outbound:" + sidOf("SM", n)}`)).toBe(1);
  });

  it("queued, sending, failed and unknown statuses (read, partially_delivered, accepted) count nothing", async () => {
    const { db } = database();
    const snapshot = await snapshotTables(db);
    for (const s of ["queued", "sending", "failed", "read", "partially_delivered", "accepted", "scheduled", "canceled"]) {
      const res = await send(status(sidOf("SM", 0x23), s, { ErrorCode: "30008", SomeNewTwilioParameter: "1" }));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ success: true, outcome: "ignored", status: s });
    }
    expect(await snapshotTables(db)).toEqual(snapshot);
  });

  it("a status callback that carries NumSegments counts them", async () => {
    const counted = await countedBy(async () => {
      expect((await send(status(sidOf("SM", 0x24), "sent", { NumSegments: "2" }))).status).toBe(200);
    });
    expect(counted).toEqual({ ...NOTHING, sms_count_used: 1, sms_sent_count: 1, sms_segments_used: 2 });
  });

  it("a message sent from a number no mapping covers is kept unmatched", async () => {
    const { db } = database();
    const res = await send(status(sidOf("SM", 0x25), "delivered", { From: "+14155550999" }));
    expect(await res.json()).toMatchObject({ success: true, outcome: "unmatched", stored: true });
    expect(await countRows(db, "unmatched_usage_events", sql`idempotency_key = ${"sms:outbound:" + sidOf("SM", 0x25)} and direction = 'outbound'`)).toBe(1);
  });

  it.each([
    ["a MessageSid of the wrong shape", { MessageSid: "SM12" }, /MessageSid must be SM or MM/],
    ["a From that is not a phone number", { From: "whatsapp-ish" }, /From must be the tenant's phone number/],
    ["no MessageStatus", { MessageStatus: "", SmsStatus: "" }, /MessageStatus is required/],
  ])("a billed status with %s is a 400 and writes nothing", async (_name, change, message) => {
    const { db } = database();
    const snapshot = await snapshotTables(db);
    const res = await send({ ...status(sidOf("SM", 0x26), "delivered"), ...change });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ success: false, error: expect.stringMatching(message) });
    expect(await snapshotTables(db)).toEqual(snapshot);
  });
});
