// Property: whatever a (signed) Twilio callback carries (random, truncated, oversized, wrongly typed,
// unicode or injection-shaped values, fields missing or repeated), the parsers either accept it or refuse
// it with invalid_input naming the wrong field; through the routes a signed callback is never refused
// (2xx: counted, ignored, or kept in the unmatched inbox with the reason, counting nothing) and the
// counters stay equal to the sum of the log (no partial row).
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests, type Db } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { POST as smsInbound } from "@/app/api/twilio/sms/inbound/route";
import { POST as smsStatus } from "@/app/api/twilio/sms/status/route";
import { POST as voiceStatus } from "@/app/api/twilio/voice/status/route";
import { parseInboundMessage, parseMessageStatusCallback, parseVoiceStatusCallback } from "./callbacks";
import type { TwilioParams } from "./form-body";
import {
  configureTwoTwilioAccounts,
  inboundSmsParams,
  mapNumberSince,
  messageStatusParams,
  signedTwilioPost,
  twilioTimestamp,
  voiceStatusParams,
} from "./test-support";

configureTwoTwilioAccounts();

/** Values an attacker or a broken client might put in any field. */
const hostileValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    "",
    " ",
    "completed",
    "COMPLETED ",
    "inbound",
    "outbound-dial",
    "-5",
    "1e9",
    "999999999999",
    "0x10",
    "NaN",
    "null",
    "undefined",
    "true",
    "[object Object]",
    "'; drop table tenant_usage_logs; --",
    "\" or 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    "\u0000",
    "\u202e+14155550100",
    "+14155550100\n+14155550200",
    "+1 (415) 555-0100",
    "+99999999999999999",
    "٤١٥٥٥٥٠١٠٠",
    "CA" + "g".repeat(32),
    "SM" + "0".repeat(31),
    "Mon, 32 Aug 2010 03:45:01 +0000",
    "Thu, 01 Jan 1970 00:00:00 +0000",
    "Fri, 31 Dec 9999 23:59:59 +0000",
    "🙂".repeat(50),
    "x".repeat(5_000),
  ),
);

const FIELDS = ["AccountSid", "CallSid", "CallStatus", "CallDuration", "Direction", "From", "To", "Timestamp", "MessageSid", "MessageStatus", "SmsStatus", "NumSegments", "Body"];

/** A valid callback with some fields replaced by hostile values, removed, or repeated. */
function mutated(base: Record<string, string>) {
  return fc
    .array(
      fc.record({
        field: fc.constantFrom(...FIELDS, "Extra"),
        change: fc.oneof(
          hostileValue.map((value) => ({ kind: "set" as const, value })),
          fc.constant({ kind: "delete" as const }),
          fc.tuple(hostileValue, hostileValue).map(([a, b]) => ({ kind: "repeat" as const, values: [a, b] })),
        ),
      }),
      { minLength: 1, maxLength: 4 },
    )
    .map((changes) => {
      const params: TwilioParams = { ...base };
      for (const { field, change } of changes) {
        if (change.kind === "delete") delete params[field];
        else if (change.kind === "set") params[field] = change.value;
        else params[field] = change.values;
      }
      return params;
    });
}

type Parser = (params: TwilioParams) => unknown;

function expectNamedRefusalOrParse(parse: Parser, params: TwilioParams): void {
  let outcome: unknown;
  try {
    outcome = parse(params);
  } catch (err) {
    expect(err).toBeInstanceOf(BillingError);
    const error = err as BillingError;
    expect(error.code).toBe("invalid_input");
    const fields = Object.keys(error.fieldErrors ?? {});
    expect(fields.length).toBeGreaterThan(0);
    // The sentence names at least one of the fields that was wrong.
    expect(fields.some((f) => error.message.includes(f))).toBe(true);
    return;
  }
  expect(outcome).toHaveProperty("countable");
}

describe("Twilio callback parsers, attacked with arbitrary parameters", () => {
  const parsers: Array<[string, Parser, Record<string, string>]> = [
    ["voice status", parseVoiceStatusCallback, voiceStatusParams({ CallDuration: "61" })],
    ["inbound message", parseInboundMessage, inboundSmsParams({})],
    ["message status", parseMessageStatusCallback, messageStatusParams({})],
  ];

  for (const [name, parse, base] of parsers) {
    it(`${name}: a mutated callback parses or is refused with a 400 naming the field`, () => {
      fc.assert(fc.property(mutated(base), (params) => expectNamedRefusalOrParse(parse, params)), { numRuns: 400 });
    });

    it(`${name}: arbitrary dictionaries parse or are refused with a 400 naming the field`, () => {
      const anyParams = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), hostileValue, { maxKeys: 12 });
      fc.assert(fc.property(anyParams, (params) => expectNamedRefusalOrParse(parse, params)), { numRuns: 300 });
    });
  }
});

interface LedgerSums {
  logs: number;
  voice_seconds: number;
  counter_seconds: number;
  calls: number;
  counter_calls: number;
  sms: number;
  counter_sms: number;
}

/** The counters must always equal what the log holds: a partial write would break this. */
/** The parser's refusal of these parameters (its message), or undefined when it accepts them. */
function expectedRefusal(parse: (p: TwilioParams) => unknown, params: TwilioParams): string | undefined {
  try {
    parse(params);
    return undefined;
  } catch (err) {
    if (err instanceof BillingError && err.code === "invalid_input") return err.message;
    throw err;
  }
}

async function ledgerSums(db: Db): Promise<LedgerSums> {
  const [row] = await queryRows<LedgerSums>(
    db,
    sql`select
      (select count(*)::int from tenant_usage_logs) as logs,
      (select coalesce(sum(voice_seconds), 0)::int from tenant_usage_logs where usage_type = 'voice') as voice_seconds,
      (select coalesce(sum(voice_seconds_used), 0)::int from tenant_usage_counters) as counter_seconds,
      (select count(*)::int from tenant_usage_logs where usage_type = 'voice') as calls,
      (select coalesce(sum(voice_calls_count), 0)::int from tenant_usage_counters) as counter_calls,
      (select count(*)::int from tenant_usage_logs where usage_type = 'sms') as sms,
      (select coalesce(sum(sms_count_used + mms_sent_count + mms_received_count + whatsapp_sent_count + whatsapp_received_count), 0)::int
         from tenant_usage_counters) as counter_sms`,
  );
  return row!;
}

describe("Twilio routes, attacked with arbitrary signed callbacks", () => {
  const database = useTestDatabase();
  let n = 0;

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(database().db, "property-clinic");
    await mapNumberSince(db, "property-clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
  });

  const routes: Array<[string, string, (r: Request) => Promise<Response>, () => Record<string, string>, (p: TwilioParams) => unknown]> = [
    ["voice status", "/api/twilio/voice/status", voiceStatus, () => voiceStatusParams({ CallSid: sidOf("CA", 0x7000 + ++n), CallDuration: "61", Timestamp: twilioTimestamp(new Date(Date.now() - 120_000)) }), parseVoiceStatusCallback],
    ["inbound message", "/api/twilio/sms/inbound", smsInbound, () => inboundSmsParams({ MessageSid: sidOf("SM", 0x7000 + ++n) }), parseInboundMessage],
    ["message status", "/api/twilio/sms/status", smsStatus, () => messageStatusParams({ MessageSid: sidOf("SM", 0x9000 + ++n) }), parseMessageStatusCallback],
  ];

  it("a signed callback with parameters named like Object.prototype members (__proto__, toString...) is counted, not refused", async () => {
    const { db } = database();
    for (const [i, name] of ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"].entries()) {
      const params = { ...inboundSmsParams({ MessageSid: sidOf("SM", 0x6000 + i) }), [name]: "sent-by-a-client" };
      const response = await smsInbound(signedTwilioPost("/api/twilio/sms/inbound", params));
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tenant_usage_logs where provider_sid = ${params.MessageSid}`);
      expect(row?.n).toBe(1);
    }
  });

  it("a NUL character in a parameter counting does not need is stored as U+FFFD, not a 500", async () => {
    const { db } = database();
    // PostgreSQL refuses NUL in text and jsonb; the fuzzer found a From of "\u0000" answered 500.
    const params: Record<string, string> = { ...inboundSmsParams({ MessageSid: sidOf("SM", 0x6100) }), From: "+1415\u00005550", SmsStatus: "rec\u0000eived", "X\u0000": "y\u0000" };
    const response = await smsInbound(signedTwilioPost("/api/twilio/sms/inbound", params));
    expect(response.status).toBe(200);
    const [row] = await queryRows<{ n: number; from: string; status: string }>(
      db,
      sql`select count(*)::int as n, min(metadata->>'from') as from, min(metadata->>'message_status') as status
        from tenant_usage_logs where provider_sid = ${params.MessageSid}`,
    );
    expect(row).toEqual({ n: 1, from: "+1415\uFFFD5550", status: "rec\uFFFDeived" });
    // To a number no tenant holds: kept in the unmatched inbox with every parameter, names included.
    const unmatched: Record<string, string> = { ...params, MessageSid: sidOf("SM", 0x6101), To: "+14155559876" };
    expect((await smsInbound(signedTwilioPost("/api/twilio/sms/inbound", unmatched))).status).toBe(200);
    const [kept] = await queryRows<{ from: string; x: string }>(
      db,
      sql`select payload->>'From' as from, payload->>${"X\uFFFD"} as x from unmatched_usage_events where provider_sid = ${unmatched.MessageSid}`,
    );
    expect(kept).toEqual({ from: "+1415\uFFFD5550", x: "y\uFFFD" });
  });

  for (const [name, path, post, base, parse] of routes) {
    it(`${name}: never refused when signed; one that cannot be read is kept with the field in its reason and counts nothing; counters stay equal to the log`, async () => {
      const { db } = database();
      await fc.assert(
        fc.asyncProperty(fc.constant(null).chain(() => mutated(base())), async (params) => {
          // Repeated parameters are signed as Twilio would sign them (every value).
          const single = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
          const repeated = Object.entries(params).some(([, v]) => Array.isArray(v));
          const before = await snapshotTables(db);
          const response = await post(repeated ? signedRepeated(path, params) : signedTwilioPost(path, single));
          expect([200, 403]).toContain(response.status);
          const unreadable = expectedRefusal(parse, params);
          if (response.status === 200 && unreadable) {
            // The parser's reason, naming the field, is the inbox item's reason; nothing was counted.
            const kept = await queryRows<{ reason: string }>(db, sql`select reason from unmatched_usage_events where reason = ${`Could not be read: ${unreadable}`}`);
            expect(kept.length).toBeGreaterThan(0);
            const { unmatched_usage_events: _kept, ...after } = await snapshotTables(db);
            const { unmatched_usage_events: _before, ...rest } = before;
            expect(after).toEqual(rest);
          }
          if (response.status === 403) {
            // A refused signature is recorded (analytics_events) and nothing else is written.
            const { analytics_events: _recorded, ...after } = await snapshotTables(db);
            const { analytics_events: _before, ...rest } = before;
            expect(after).toEqual(rest);
          }
          const sums = await ledgerSums(db);
          expect(sums.counter_seconds).toBe(sums.voice_seconds);
          expect(sums.counter_calls).toBe(sums.calls);
          expect(sums.counter_sms).toBe(sums.sms);
        }),
        { numRuns: 60 },
      );
    });
  }
});

/** A signed request whose repeated parameters are all sent and all signed (Twilio's own form for arrays). */
function signedRepeated(path: string, params: TwilioParams): Request {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  return signedTwilioPostRaw(path, params, body.toString());
}

function signedTwilioPostRaw(path: string, params: TwilioParams, body: string): Request {
  const request = signedTwilioPost(path, params as Record<string, string>);
  return new Request(request.url, { method: "POST", headers: request.headers, body });
}
