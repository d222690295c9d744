// The incoming-message webhook: one received message and its segments for the number in To, answered
// with empty TwiML; unknown numbers kept unmatched; malformed fields refused with nothing written.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { configureTwoTwilioAccounts, expectKeptWithReason, inboundSmsParams, mapNumberSince, signedTwilioPost } from "@/lib/twilio/test-support";
import { POST } from "./route";

configureTwoTwilioAccounts();
const PATH = "/api/twilio/sms/inbound";
const send = (params: Record<string, string>) => POST(signedTwilioPost(PATH, params));

describe("POST /api/twilio/sms/inbound", () => {
  const database = useTestDatabase();
  let clinic: string;

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    clinic = await mapNumberSince(db, "clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
  });

  it("an inbound message of 3 segments counts 1 received message and 3 segments, answered with empty TwiML", async () => {
    const { db } = database();
    const params = inboundSmsParams({ MessageSid: sidOf("SM", 0x10), NumSegments: "3", Body: "x".repeat(400) });
    const res = await send(params);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/xml/);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await countersOf(db, clinic)).toMatchObject([{ sms_count_used: 1, sms_received_count: 1, sms_sent_count: 0, sms_segments_used: 3 }]);

    const retry = await send(params);
    expect(retry.status).toBe(200);
    expect(await retry.text()).toContain("<Response/>");
    expect(await countersOf(db, clinic)).toMatchObject([{ sms_count_used: 1, sms_received_count: 1, sms_segments_used: 3 }]);
    expect(await countRows(db, "tenant_usage_logs", sql`idempotency_key = ${"sms:inbound:" + sidOf("SM", 0x10)}`)).toBe(1);
  });

  it("a message without NumSegments counts one segment", async () => {
    const { db } = database();
    const before = (await countersOf(db, clinic))[0]!;
    const params: Record<string, string> = inboundSmsParams({ MessageSid: sidOf("SM", 0x11) });
    delete params.NumSegments;
    expect((await send(params)).status).toBe(200);
    const after = (await countersOf(db, clinic))[0]!;
    expect([after.sms_received_count - before.sms_received_count, after.sms_segments_used - before.sms_segments_used]).toEqual([1, 1]);
  });

  it("a message to a number no mapping covers is kept unmatched with its payload and answered with TwiML", async () => {
    const { db } = database();
    const res = await send(inboundSmsParams({ MessageSid: sidOf("SM", 0x12), To: "+14155550999", NumSegments: "2", Body: "who is this" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<Response/>");
    const rows = await queryRows<{ phone_number: string; sms_segments: number; direction: string; payload: Record<string, string>; account_sid: string }>(
      db,
      sql`select phone_number, sms_segments, direction, payload, account_sid from unmatched_usage_events where idempotency_key = ${"sms:inbound:" + sidOf("SM", 0x12)}`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ phone_number: "+14155550999", sms_segments: 2, direction: "inbound", account_sid: inboundSmsParams({}).AccountSid }),
    ]);
    expect(rows[0]!.payload).toMatchObject({ Body: "who is this", To: "+14155550999" });
  });

  it("a message kept unmatched stays there when the number is mapped before Twilio retries it: never counted twice", async () => {
    const { db } = database();
    await createTenant(db, "late-owner");
    const params = inboundSmsParams({ MessageSid: sidOf("SM", 0x14), To: "+14155550777" });
    expect((await send(params)).status).toBe(200);
    const mapping = await mapNumberSince(db, "late-owner", "+14155550777", 7, new Date("2020-01-01T00:00:00Z"));
    expect((await send(params)).status).toBe(200);
    expect(await countersOf(db, mapping)).toMatchObject([{ sms_count_used: 0 }]);
    expect(await countRows(db, "unmatched_usage_events", sql`idempotency_key = ${"sms:inbound:" + sidOf("SM", 0x14)}`)).toBe(1);
    // A new message to the now-mapped number counts.
    expect((await send(inboundSmsParams({ MessageSid: sidOf("SM", 0x15), To: "+14155550777" }))).status).toBe(200);
    expect(await countersOf(db, mapping)).toMatchObject([{ sms_count_used: 1 }]);
  });

  it.each([
    ["a MessageSid of the wrong shape", 0x30, { MessageSid: "SM-not-a-sid" }, /MessageSid must be SM or MM/],
    ["a To that is not a phone number", 0x31, { To: "not-a-number" }, /To is not a phone number: "not-a-number"/],
    ["NumSegments that is not a number", 0x32, { NumSegments: "three" }, /NumSegments must be a whole number/],
    ["NumSegments of 0", 0x33, { NumSegments: "0" }, /NumSegments must be a whole number from 1/],
    ["NumMedia that is not a number", 0x34, { NumMedia: "many" }, /NumMedia must be a whole number/],
  ])("a signed message with %s is answered with TwiML and kept once with its reason", async (_name, n, change, reason) => {
    const { db } = database();
    await expectKeptWithReason(db, () => send(inboundSmsParams({ MessageSid: sidOf("SM", n), ...change })), { outcome: "invalid", reason });
  });
});
