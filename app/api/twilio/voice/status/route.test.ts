// The call status callback, end to end through the route handler with requests signed as Twilio signs
// them: only a completed call counts, once, to the tenant that held the number when the call started.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { deprovisionNumber, mapNumberToTenant } from "@/lib/billing/mapping";
import { countersOf, countRows, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import {
  configureTwoTwilioAccounts,
  expectKeptWithReason,
  mapNumberSince,
  signedTwilioPost,
  twilioTimestamp,
  voiceStatusParams,
} from "@/lib/twilio/test-support";
import { POST } from "./route";

configureTwoTwilioAccounts();
const PATH = "/api/twilio/voice/status";
const send = (params: Record<string, string>) => POST(signedTwilioPost(PATH, params));
const thisMonth = () => new Date().toISOString().slice(0, 8) + "01";
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe("POST /api/twilio/voice/status", () => {
  const database = useTestDatabase();
  let clinic: string;
  let callCenter: string;

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    await createTenant(db, "call-center");
    clinic = await mapNumberSince(db, "clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
    callCenter = await mapNumberSince(db, "call-center", "+14155550200", 2, new Date("2020-01-01T00:00:00Z"));
  });

  it("a call lifecycle (initiated, ringing, in-progress, completed 125 s) counts 3 minutes and 1 call once", async () => {
    const { db } = database();
    const callSid = sidOf("CA", 0x100);
    const at = twilioTimestamp(minutesAgo(1));
    for (const status of ["initiated", "ringing", "in-progress"]) {
      const res = await send(voiceStatusParams({ CallSid: callSid, CallStatus: status, Timestamp: at }));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ success: true, outcome: "ignored" });
    }
    expect(await countersOf(db, clinic)).toMatchObject([{ voice_minutes_used: 0, voice_calls_count: 0 }]);

    const completed = voiceStatusParams({ CallSid: callSid, CallStatus: "completed", CallDuration: "125", Timestamp: at });
    const first = await send(completed);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ success: true, outcome: "counted", tenantId: "clinic" });
    for (let i = 0; i < 5; i++) {
      const again = await send(completed);
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ success: true, outcome: "duplicate" });
    }
    const [counter] = await countersOf(db, clinic);
    expect(counter).toMatchObject({ billing_period_start: thisMonth(), voice_minutes_used: 3, voice_calls_count: 1, voice_seconds_used: 125 });
    expect(await countRows(db, "tenant_usage_logs", sql`idempotency_key = ${"voice:" + callSid}`)).toBe(1);
  });

  it("callbacks arriving out of order (completed first, then ringing and in-progress) count the same", async () => {
    const { db } = database();
    const before = (await countersOf(db, clinic))[0]!;
    const callSid = sidOf("CA", 0x101);
    const at = twilioTimestamp(minutesAgo(2));
    const completed = voiceStatusParams({ CallSid: callSid, CallStatus: "completed", CallDuration: "125", Timestamp: at });
    for (const params of [completed, voiceStatusParams({ CallSid: callSid, CallStatus: "in-progress" }), voiceStatusParams({ CallSid: callSid, CallStatus: "ringing" }), completed]) {
      expect((await send(params)).status).toBe(200);
    }
    const after = (await countersOf(db, clinic))[0]!;
    expect(after.voice_minutes_used - before.voice_minutes_used).toBe(3);
    expect(after.voice_calls_count - before.voice_calls_count).toBe(1);
  });

  it("busy, no-answer, failed and canceled calls count no minutes", async () => {
    const { db } = database();
    const snapshot = await snapshotTables(db);
    for (const [i, status] of ["busy", "no-answer", "failed", "canceled"].entries()) {
      const res = await send(voiceStatusParams({ CallSid: sidOf("CA", 0x200 + i), CallStatus: status, CallDuration: "0" }));
      expect(res.status).toBe(200);
    }
    expect(await snapshotTables(db)).toEqual(snapshot);
  });

  it("an outbound call is billed to the From number's tenant", async () => {
    const { db } = database();
    const res = await send(
      voiceStatusParams({
        CallSid: sidOf("CA", 0x300),
        Direction: "outbound-api",
        From: "+14155550200",
        To: "+14155550100",
        CallDuration: "61",
        Timestamp: twilioTimestamp(minutesAgo(1)),
      }),
    );
    expect(await res.json()).toMatchObject({ outcome: "counted", tenantId: "call-center" });
    expect(await countersOf(db, callCenter)).toMatchObject([{ voice_minutes_used: 2, voice_calls_count: 1, voice_seconds_used: 61 }]);
    const dial = await send(voiceStatusParams({ CallSid: sidOf("CA", 0x301), Direction: "outbound-dial", From: "+14155550200", To: "+12065550123", CallDuration: "30" }));
    expect(await dial.json()).toMatchObject({ outcome: "counted", tenantId: "call-center" });
  });

  it("a call to a number transferred mid-month goes to the tenant that held it when the call started", async () => {
    const { db } = database();
    await createTenant(db, "old-owner");
    await createTenant(db, "new-owner");
    const oldMapping = await mapNumberSince(db, "old-owner", "+14155550300", 3, new Date("2020-01-01T00:00:00Z"));
    const { mapping: newMapping } = await mapNumberToTenant(
      db,
      { tenantId: "new-owner", twilioNumberSid: sidOf("PN", 3), phoneNumber: "+14155550300", transfer: true },
      { actor: "test" },
    );
    // The transfer happened 10 minutes ago.
    const transferAt = minutesAgo(10).toISOString();
    await db.execute(sql`update tenant_phone_mappings set deprovisioned_at = ${transferAt}::timestamptz where id = ${oldMapping}::uuid`);
    await db.execute(sql`update tenant_phone_mappings set provisioned_at = ${transferAt}::timestamptz where id = ${newMapping.id}::uuid`);

    // Started 15 minutes ago (before the transfer), completed 5 minutes ago (after it): the old owner's.
    const spanning = await send(
      voiceStatusParams({ CallSid: sidOf("CA", 0x400), To: "+14155550300", CallDuration: "600", Timestamp: twilioTimestamp(minutesAgo(5)) }),
    );
    expect(await spanning.json()).toMatchObject({ outcome: "counted", tenantId: "old-owner" });
    // Started after the transfer: the new owner's.
    const later = await send(
      voiceStatusParams({ CallSid: sidOf("CA", 0x401), To: "+14155550300", CallDuration: "60", Timestamp: twilioTimestamp(minutesAgo(1)) }),
    );
    expect(await later.json()).toMatchObject({ outcome: "counted", tenantId: "new-owner" });
    expect(await countersOf(db, oldMapping)).toMatchObject([{ tenant_id: "old-owner", voice_minutes_used: 10, voice_calls_count: 1 }]);
    expect(await countersOf(db, newMapping.id)).toMatchObject([{ tenant_id: "new-owner", voice_minutes_used: 1, voice_calls_count: 1 }]);
  });

  it("a call for a number no mapping covers is kept unmatched with its payload, once", async () => {
    const { db } = database();
    const params = voiceStatusParams({ CallSid: sidOf("CA", 0x500), To: "+14155550999", CallDuration: "42" });
    for (let i = 0; i < 2; i++) {
      const res = await send(params);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ success: true, outcome: "unmatched", stored: i === 0 });
    }
    const rows = await queryRows<{ phone_number: string; voice_seconds: number; status: string; payload: Record<string, string>; direction: string }>(
      db,
      sql`select phone_number, voice_seconds, status, payload, direction from unmatched_usage_events where idempotency_key = ${"voice:" + sidOf("CA", 0x500)}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ phone_number: "+14155550999", voice_seconds: 42, status: "open", direction: "inbound" });
    expect(rows[0]!.payload).toMatchObject({ CallSid: sidOf("CA", 0x500), CallDuration: "42", CallbackSource: "call-progress-events" });
    expect(await countRows(db, "tenant_usage_logs", sql`provider_sid = ${sidOf("CA", 0x500)}`)).toBe(0);
  });

  it("a call after its number was deprovisioned is kept unmatched; one before still counts", async () => {
    const { db } = database();
    await createTenant(db, "leaving");
    const mapping = await mapNumberSince(db, "leaving", "+14155550400", 4, new Date("2020-01-01T00:00:00Z"));
    await deprovisionNumber(db, { phoneNumber: "+14155550400" }, { actor: "test" });
    const before = await send(
      voiceStatusParams({ CallSid: sidOf("CA", 0x600), To: "+14155550400", CallDuration: "60", Timestamp: twilioTimestamp(minutesAgo(30)) }),
    );
    expect(await before.json()).toMatchObject({ outcome: "counted", tenantId: "leaving" });
    const after = await send(voiceStatusParams({ CallSid: sidOf("CA", 0x601), To: "+14155550400", CallDuration: "60" }));
    expect(await after.json()).toMatchObject({ outcome: "unmatched", stored: true });
    expect(await countersOf(db, mapping)).toMatchObject([{ voice_calls_count: 1 }]);
    expect(await countRows(db, "unmatched_usage_events", sql`phone_number = '+14155550400'`)).toBe(1);
  });

  it("an unknown status and an unknown extra parameter are accepted and count nothing", async () => {
    const { db } = database();
    const snapshot = await snapshotTables(db);
    const res = await send(voiceStatusParams({ CallSid: sidOf("CA", 0x700), CallStatus: "read", CallDuration: "99", BrandNewTwilioField: "x" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ success: true, outcome: "ignored", status: "read" });
    expect(await snapshotTables(db)).toEqual(snapshot);
    // An extra parameter on a completed call is signed like the rest and does not stop the count.
    const counted = await send(voiceStatusParams({ CallSid: sidOf("CA", 0x701), CallDuration: "1", StirVerstat: "TN-Validation-Passed-A", BrandNewTwilioField: "y" }));
    expect(await counted.json()).toMatchObject({ outcome: "counted" });
  });

  it.each([
    ["a non-numeric CallDuration", 0x800, { CallDuration: "12.5s" }, "invalid", /CallDuration must be a whole number/],
    ["a missing CallDuration", 0x801, { CallDuration: undefined }, "invalid", /CallDuration is required/],
    ["a CallSid of the wrong shape", 0x802, { CallSid: "CA123" }, "invalid", /CallSid must be CA followed by 32/],
    ["a Timestamp that is not a date", 0x803, { Timestamp: "yesterday-ish" }, "invalid", /Timestamp must be a date/],
    ["an unknown Direction", 0x804, { Direction: "sideways" }, "invalid", /Direction must be inbound/],
    ["no CallStatus", 0x805, { CallStatus: undefined }, "invalid", /CallStatus is required/],
    // A leg whose tenant side is no number waits for a relative that could route it.
    ["an inbound To that is not a phone number", 0x806, { To: "not-a-number" }, "unmatched", /To is not a phone number: "not-a-number"; waiting for a dialed leg/],
    ["an outbound From that is a SIP URI", 0x807, { Direction: "outbound-api", From: "sip:bob@example.com" }, "unmatched", /From is not a phone number: "sip:bob@example.com"/],
  ] as const)("a signed completed call with %s is answered 200 and kept once with its reason", async (_name, n, change, outcome, reason) => {
    const { db } = database();
    const params: Record<string, string> = voiceStatusParams({ CallSid: sidOf("CA", n), CallDuration: "30" });
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) delete params[key];
      else params[key] = value;
    }
    await expectKeptWithReason(db, () => send(params), { outcome, reason });
  });
});
