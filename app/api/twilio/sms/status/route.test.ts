// The message status callback: an outbound message counts once, as sent by the From number, at the first
// status Twilio bills; every other status, and every later callback of the message, counts nothing.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { configureTwoTwilioAccounts, expectKeptWithReason, mapNumberSince, messageStatusParams, signedTwilioPost } from "@/lib/twilio/test-support";
import { POST } from "./route";

configureTwoTwilioAccounts();
const PATH = "/api/twilio/sms/status";
const send = (params: Record<string, string>) => POST(signedTwilioPost(PATH, params));
const status = (sid: string, s: string, over: Record<string, string> = {}) =>
  messageStatusParams({ MessageSid: sid, MessageStatus: s, SmsStatus: s, ...over });

type Counted = Record<string, number>;

describe("POST /api/twilio/sms/status", () => {
  const database = useTestDatabase();
  let clinic: string;

  /**
   * What `run` added to the counters of the clinic's number, column by column, every counter column
   * (the columns it left alone are omitted): each test stands on its own.
   */
  async function countedBy(run: () => Promise<void>): Promise<Counted> {
    const sums = async () => {
      const rows = await queryRows<{ c: Counted }>(
        database().db,
        sql`select to_jsonb(c) - 'id' - 'tenant_id' - 'phone_mapping_id' - 'billing_period_start' - 'billing_period_end' - 'created_at' - 'updated_at' as c
            from tenant_usage_counters c where phone_mapping_id = ${clinic}::uuid`,
      );
      const out: Counted = {};
      for (const { c } of rows) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + Number(v);
      return out;
    };
    const before = await sums();
    await run();
    const after = await sums();
    const changed: Counted = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const d = (after[k] ?? 0) - (before[k] ?? 0);
      if (d !== 0) changed[k] = d;
    }
    return changed;
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
    expect(counted).toEqual({ sms_count_used: 1, sms_sent_count: 1, sms_segments_used: 1, sms_outbound_segments: 1 });
    expect(await countRows(db, "tenant_usage_logs", sql`idempotency_key = ${"sms:outbound:" + sid}`)).toBe(1);
  });

  it("callbacks out of order (delivered before sent) and undelivered count the message once", async () => {
    const { db } = database();
    const counted = await countedBy(async () => {
      for (const s of ["delivered", "sending", "sent", "queued"]) expect((await send(status(sidOf("SM", 0x21), s))).status).toBe(200);
      for (const s of ["undelivered", "sent"]) expect((await send(status(sidOf("SM", 0x22), s))).status).toBe(200);
    });
    expect(counted).toEqual({ sms_count_used: 2, sms_sent_count: 2, sms_segments_used: 2, sms_outbound_segments: 2 });
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
    expect(counted).toEqual({ sms_count_used: 1, sms_sent_count: 1, sms_segments_used: 2, sms_outbound_segments: 2 });
  });

  it("a message sent from a number no mapping covers is kept unmatched", async () => {
    const { db } = database();
    const res = await send(status(sidOf("SM", 0x25), "delivered", { From: "+14155550999" }));
    expect(await res.json()).toMatchObject({ success: true, outcome: "unmatched", stored: true });
    expect(await countRows(db, "unmatched_usage_events", sql`idempotency_key = ${"sms:outbound:" + sidOf("SM", 0x25)} and direction = 'outbound'`)).toBe(1);
  });

  it.each([
    ["a MessageSid of the wrong shape", 0x26, { MessageSid: "SM12" }, /MessageSid must be SM or MM/],
    ["a From that is not a phone number", 0x27, { From: "whatsapp-ish" }, /From is not a phone number: "whatsapp-ish"/],
    ["no MessageStatus", 0x28, { MessageStatus: "", SmsStatus: "" }, /MessageStatus is required/],
  ])("a signed status with %s is answered 200 and kept once with its reason", async (_name, n, change, reason) => {
    const { db } = database();
    await expectKeptWithReason(db, () => send({ ...status(sidOf("SM", n), "delivered"), ...change }), { outcome: "invalid", reason });
  });
});
