// Test support for the Twilio routes: requests signed with the twilio package exactly as Twilio signs
// them (HMAC-SHA1 of the URL and the sorted parameters with the account's auth token), and numbers
// mapped since a given time.
import { sql } from "drizzle-orm";
import twilio from "twilio";
import type { Db } from "@/db/client";
import { mapNumberToTenant } from "@/lib/billing/mapping";
import { sidOf } from "@/lib/testing/db";

export const PUBLIC_BASE = "https://billing.example.test";
export const ACCOUNT_A = sidOf("AC", 0xa);
export const TOKEN_A = "auth-token-of-account-a-0123456789";
export const ACCOUNT_B = sidOf("AC", 0xb);
export const TOKEN_B = "auth-token-of-account-b-9876543210";

/** Points the Twilio configuration at two accounts (A through the one-account variables, B through TWILIO_ACCOUNTS). */
export function configureTwoTwilioAccounts(): void {
  process.env.PUBLIC_BASE_URL = PUBLIC_BASE;
  process.env.TWILIO_ACCOUNT_SID = ACCOUNT_A;
  process.env.TWILIO_AUTH_TOKEN = TOKEN_A;
  process.env.TWILIO_ACCOUNTS = JSON.stringify({ [ACCOUNT_B]: TOKEN_B });
}

export interface SignOptions {
  /** Auth token to sign with (default: account A's). */
  token?: string;
  /** URL to sign (default: PUBLIC_BASE + path). */
  signedUrl?: string;
  /** URL the request is sent to (default: an internal address, as behind a proxy). */
  requestUrl?: string;
  /** Replace the signature (null: send none). */
  signature?: string | null;
  headers?: Record<string, string>;
}

/** A form post to `path` signed as Twilio would sign it. */
export function signedTwilioPost(path: string, params: Record<string, string>, options: SignOptions = {}): Request {
  const signedUrl = options.signedUrl ?? `${PUBLIC_BASE}${path}`;
  const signature =
    options.signature === undefined
      ? twilio.getExpectedTwilioSignature(options.token ?? TOKEN_A, signedUrl, params)
      : options.signature;
  return new Request(options.requestUrl ?? `http://127.0.0.1:3000${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(signature === null ? {} : { "x-twilio-signature": signature }),
      ...options.headers,
    },
    body: new URLSearchParams(params).toString(),
  });
}

/** Maps a number to a tenant with its mapping starting at `since` (so events before now can match). */
export async function mapNumberSince(db: Db, tenantId: string, phoneNumber: string, pn: number, since: Date): Promise<string> {
  const { mapping } = await mapNumberToTenant(db, { tenantId, twilioNumberSid: sidOf("PN", pn), phoneNumber }, { actor: "test" });
  await db.execute(sql`update tenant_phone_mappings set provisioned_at = ${since.toISOString()}::timestamptz where id = ${mapping.id}::uuid`);
  return mapping.id;
}

/** Twilio's Timestamp parameter format (RFC 2822), e.g. "Mon, 16 Aug 2010 03:45:01 +0000". */
export function twilioTimestamp(at: Date): string {
  return at.toUTCString().replace("GMT", "+0000");
}

export function voiceStatusParams(over: Record<string, string>): Record<string, string> {
  return {
    AccountSid: ACCOUNT_A,
    ApiVersion: "2010-04-01",
    CallSid: sidOf("CA", 1),
    CallStatus: "completed",
    Called: over.To ?? "+14155550100",
    Caller: over.From ?? "+12065550199",
    Direction: "inbound",
    From: "+12065550199",
    To: "+14155550100",
    CallbackSource: "call-progress-events",
    SequenceNumber: "0",
    ...over,
  };
}

export function inboundSmsParams(over: Record<string, string>): Record<string, string> {
  const sid = over.MessageSid ?? sidOf("SM", 1);
  return {
    AccountSid: ACCOUNT_A,
    ApiVersion: "2010-04-01",
    MessageSid: sid,
    SmsSid: sid,
    SmsMessageSid: sid,
    SmsStatus: "received",
    From: "+12065550199",
    To: "+14155550100",
    Body: "Hello from a customer",
    NumMedia: "0",
    NumSegments: "1",
    FromCountry: "US",
    ToCountry: "US",
    ...over,
  };
}

export function messageStatusParams(over: Record<string, string>): Record<string, string> {
  const sid = over.MessageSid ?? sidOf("SM", 2);
  return {
    AccountSid: ACCOUNT_A,
    ApiVersion: "2010-04-01",
    MessageSid: sid,
    SmsSid: sid,
    MessageStatus: "sent",
    SmsStatus: over.MessageStatus ?? "sent",
    From: "+14155550100",
    To: "+12065550199",
    ...over,
  };
}

/**
 * A signed callback that cannot be counted is answered 2xx and kept once in the unmatched inbox with a
 * reason matching `reason`; its retry keeps nothing more, and no counter, log row or daily row moves.
 */
export async function expectKeptWithReason(
  db: Db,
  send: () => Promise<Response>,
  expected: { outcome: "invalid" | "unmatched"; reason: RegExp },
): Promise<void> {
  const { expect } = await import("vitest");
  const ledger = async () => {
    const [row] = await queryRowsOf<{ c: string; l: number; d: number }>(
      db,
      sql`select (select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from tenant_usage_counters t) as c,
            (select count(*)::int from tenant_usage_logs) as l, (select count(*)::int from tenant_usage_daily) as d`,
    );
    return row;
  };
  const inbox = async () =>
    queryRowsOf<{ reason: string }>(db, sql`select reason from unmatched_usage_events where reason ~ ${expected.reason.source} order by id`);
  const before = await ledger();
  const keptBefore = (await inbox()).length;
  const first = await send();
  expect(first.status).toBeGreaterThanOrEqual(200);
  expect(first.status).toBeLessThan(300);
  if (first.headers.get("content-type")?.includes("json")) {
    expect(await first.json()).toMatchObject({ success: true, outcome: expected.outcome, reason: expect.stringMatching(expected.reason) });
  }
  const retry = await send();
  expect(retry.status).toBe(first.status);
  expect(await inbox()).toHaveLength(keptBefore + 1);
  expect(await ledger()).toEqual(before);
}

async function queryRowsOf<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const { queryRows } = await import("@/db/client");
  return queryRows<T>(db, query);
}
