// Nothing lost, nothing twice: with the database unreachable the routes answer 503 (Twilio retries) and
// store nothing; the retry once it is back counts once. 100 concurrent signed callbacks for one number,
// duplicates among them, leave exact counters.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, useDatabaseForTests, type OpenDatabase } from "@/db/client";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import {
  configureTwoTwilioAccounts,
  inboundSmsParams,
  mapNumberSince,
  signedTwilioPost,
  twilioTimestamp,
  voiceStatusParams,
} from "@/lib/twilio/test-support";
import { POST as smsInbound } from "./sms/inbound/route";
import { POST as voiceStatus } from "./voice/status/route";

configureTwoTwilioAccounts();
const VOICE = "/api/twilio/voice/status";
const SMS_IN = "/api/twilio/sms/inbound";

describe("Twilio webhooks when the database fails, and under concurrency", () => {
  const database = useTestDatabase();
  let unreachable: OpenDatabase;
  let clinic: string;
  let busy: string;

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "clinic");
    await createTenant(db, "busy-line");
    clinic = await mapNumberSince(db, "clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
    busy = await mapNumberSince(db, "busy-line", "+14155550500", 5, new Date("2020-01-01T00:00:00Z"));
    // Nothing listens on port 1: every query fails with ECONNREFUSED (PostgreSQL and PGlite runs alike).
    unreachable = await openPostgres("postgres://billing_map:billing_map_test@127.0.0.1:1/unreachable", { max: 1 });
  });
  afterAll(async () => {
    await unreachable?.close().catch(() => undefined);
  });

  it("with the database unreachable the routes answer 503, and the retry once it is back counts once", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const call = voiceStatusParams({ CallSid: sidOf("CA", 0xa00), CallDuration: "125", Timestamp: twilioTimestamp(new Date(Date.now() - 60_000)) });
    const message = inboundSmsParams({ MessageSid: sidOf("SM", 0xa00), NumSegments: "2" });

    // How fast these answers come is a benchmark target ("webhook answer with the database unreachable").
    useDatabaseForTests(unreachable);
    const down = await voiceStatus(signedTwilioPost(VOICE, call));
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ success: false, error: "The database is unavailable; try again shortly." });
    const downSms = await smsInbound(signedTwilioPost(SMS_IN, message));
    expect(downSms.status).toBe(503);
    // An unsigned request is still a 403 while the database is down (its record is lost, not the answer).
    expect((await voiceStatus(signedTwilioPost(VOICE, call, { signature: null }))).status).toBe(403);

    useDatabaseForTests(database());
    expect(await snapshotTables(db)).toEqual(before);
    const retried = await voiceStatus(signedTwilioPost(VOICE, call));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ outcome: "counted" });
    expect((await smsInbound(signedTwilioPost(SMS_IN, message))).status).toBe(200);
    expect(await (await voiceStatus(signedTwilioPost(VOICE, call))).json()).toMatchObject({ outcome: "duplicate" });
    expect((await smsInbound(signedTwilioPost(SMS_IN, message))).status).toBe(200);
    expect(await countersOf(db, clinic)).toMatchObject([
      { voice_minutes_used: 3, voice_calls_count: 1, voice_seconds_used: 125, sms_received_count: 1, sms_segments_used: 2 },
    ]);
  });

  it("100 concurrent signed callbacks for one number, duplicates among them, leave exact counters", async () => {
    const { db } = database();
    useDatabaseForTests(database());
    // 60 distinct calls, 25 repeats of some of them, 10 distinct messages, 5 repeats of messages.
    const calls = Array.from({ length: 60 }, (_, i) =>
      voiceStatusParams({ CallSid: sidOf("CA", 0xb00 + i), To: "+14155550500", CallDuration: String(1 + i * 7), Timestamp: twilioTimestamp(new Date(Date.now() - 120_000)) }),
    );
    const messages = Array.from({ length: 10 }, (_, i) => inboundSmsParams({ MessageSid: sidOf("SM", 0xb00 + i), To: "+14155550500", NumSegments: String(1 + (i % 3)) }));
    const requests = [
      ...calls.map((p) => () => voiceStatus(signedTwilioPost(VOICE, p))),
      ...Array.from({ length: 25 }, (_, i) => () => voiceStatus(signedTwilioPost(VOICE, calls[(i * 7) % 60]!))),
      ...messages.map((p) => () => smsInbound(signedTwilioPost(SMS_IN, p))),
      ...Array.from({ length: 5 }, (_, i) => () => smsInbound(signedTwilioPost(SMS_IN, messages[i * 2]!))),
    ];
    expect(requests).toHaveLength(100);
    // Shuffle deterministically so duplicates race their originals.
    const order = requests.map((r, i) => ({ r, k: (i * 37) % 101 })).sort((a, b) => a.k - b.k);
    const responses = await Promise.all(order.map(({ r }) => r()));
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));

    const seconds = calls.reduce((sum, c) => sum + Number(c.CallDuration), 0);
    const minutes = calls.reduce((sum, c) => sum + Math.ceil(Number(c.CallDuration) / 60), 0);
    const segments = messages.reduce((sum, m) => sum + Number(m.NumSegments), 0);
    expect(await countersOf(db, busy)).toMatchObject([
      { voice_calls_count: 60, voice_seconds_used: seconds, voice_minutes_used: minutes, sms_received_count: 10, sms_count_used: 10, sms_segments_used: segments },
    ]);
    expect(await countRows(db, "tenant_usage_logs", sql`phone_mapping_id = ${busy}::uuid`)).toBe(70);
  });
});
