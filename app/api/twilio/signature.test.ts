// Every Twilio route refuses a request not signed by a configured account: 403, nothing counted, the
// rejection recorded without the token or signature. No configured token refuses everything with a 500.
import { sql } from "drizzle-orm";
import twilio from "twilio";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { queryRows, useDatabaseForTests } from "@/db/client";
import { countersOf, createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  configureTwoTwilioAccounts,
  inboundSmsParams,
  mapNumberSince,
  messageStatusParams,
  PUBLIC_BASE,
  signedTwilioPost,
  TOKEN_A,
  TOKEN_B,
  voiceStatusParams,
} from "@/lib/twilio/test-support";
import { twilioWebhookUrls } from "@/lib/twilio/webhook-urls";
import { POST as smsInbound } from "./sms/inbound/route";
import { POST as smsStatus } from "./sms/status/route";
import { POST as voiceStatus } from "./voice/status/route";

configureTwoTwilioAccounts();
const VOICE = "/api/twilio/voice/status";
const BILLING_TABLES = ["tenant_phone_mappings", "tenant_usage_counters", "tenant_usage_logs", "unmatched_usage_events", "usage_alerts"];
const billingOnly = (s: Record<string, string>) => Object.fromEntries(BILLING_TABLES.map((t) => [t, s[t]]));

interface Rejection {
  properties: { path: string; account_sid: string | null; reason: string; had_signature: boolean };
}
async function rejections(db: Parameters<typeof snapshotTables>[0]): Promise<Rejection[]> {
  return queryRows<Rejection>(db, sql`select properties from analytics_events where event_type = 'twilio_signature_rejected' order by id`);
}

const routes = [
  { name: "voice status", path: VOICE, POST: voiceStatus, params: voiceStatusParams({ CallSid: sidOf("CA", 0x900), CallDuration: "60" }) },
  { name: "sms inbound", path: "/api/twilio/sms/inbound", POST: smsInbound, params: inboundSmsParams({ MessageSid: sidOf("SM", 0x900) }) },
  { name: "sms status", path: "/api/twilio/sms/status", POST: smsStatus, params: messageStatusParams({ MessageSid: sidOf("SM", 0x901), From: "+14155550100" }) },
];

describe("Twilio signature check", () => {
  const database = useTestDatabase();
  let clinic: string;

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    clinic = await mapNumberSince(db, "clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
  });
  afterEach(() => configureTwoTwilioAccounts());

  it.each(routes)("$name: a missing, wrong or wrong-URL signature is a 403 that counts nothing and is recorded", async (route) => {
    const { db } = database();
    const before = await snapshotTables(db);
    const seen = (await rejections(db)).length;
    const tampered = signedTwilioPost(route.path, route.params);
    const attempts = [
      signedTwilioPost(route.path, route.params, { signature: null }),
      signedTwilioPost(route.path, route.params, { token: "not-the-auth-token" }),
      signedTwilioPost(route.path, route.params, { signedUrl: `https://attacker.example${route.path}` }),
      signedTwilioPost(route.path, route.params, { signedUrl: `${PUBLIC_BASE}/api/twilio/other` }),
      // Signed for one body, sent with another.
      new Request(tampered.url, { method: "POST", headers: tampered.headers, body: new URLSearchParams({ ...route.params, To: "+14155550999" }).toString() }),
    ];
    for (const request of attempts) {
      const res = await route.POST(request);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ success: false, error: expect.stringMatching(/^Twilio signature check failed/) });
    }
    expect(billingOnly(await snapshotTables(db))).toEqual(billingOnly(before));
    const recorded = (await rejections(db)).slice(seen);
    expect(recorded).toHaveLength(attempts.length);
    expect(recorded[0]!.properties).toEqual({ path: route.path, account_sid: ACCOUNT_A, reason: "the X-Twilio-Signature header is missing", had_signature: false });
    expect(recorded[1]!.properties).toMatchObject({ path: route.path, account_sid: ACCOUNT_A, had_signature: true, reason: expect.stringMatching(/does not match/) });
    const stored = JSON.stringify(recorded);
    expect(stored).not.toContain(TOKEN_A);
    expect(stored).not.toContain(twilio.getExpectedTwilioSignature("not-the-auth-token", `${PUBLIC_BASE}${route.path}`, route.params));
  });

  it("two accounts: each request is checked with its own account's token, never the other's", async () => {
    const { db } = database();
    const ofB = voiceStatusParams({ AccountSid: ACCOUNT_B, CallSid: sidOf("CA", 0x910), CallDuration: "60" });
    const ofA = voiceStatusParams({ AccountSid: ACCOUNT_A, CallSid: sidOf("CA", 0x911), CallDuration: "60" });
    expect((await voiceStatus(signedTwilioPost(VOICE, ofB, { token: TOKEN_A }))).status).toBe(403);
    expect((await voiceStatus(signedTwilioPost(VOICE, ofA, { token: TOKEN_B }))).status).toBe(403);
    expect(await countersOf(db, clinic)).toMatchObject([{ voice_calls_count: 0 }]);
    expect(await (await voiceStatus(signedTwilioPost(VOICE, ofB, { token: TOKEN_B }))).json()).toMatchObject({ outcome: "counted" });
    expect(await (await voiceStatus(signedTwilioPost(VOICE, ofA, { token: TOKEN_A }))).json()).toMatchObject({ outcome: "counted" });
    expect(await countersOf(db, clinic)).toMatchObject([{ voice_calls_count: 2 }]);
  });

  it("an unknown account is refused even with a signature made with its own token", async () => {
    const { db } = database();
    const before = billingOnly(await snapshotTables(db));
    const stranger = sidOf("AC", 0xfff);
    const res = await voiceStatus(signedTwilioPost(VOICE, voiceStatusParams({ AccountSid: stranger, CallSid: sidOf("CA", 0x920), CallDuration: "5" }), { token: "strangers-token" }));
    expect(res.status).toBe(403);
    expect((await rejections(db)).at(-1)!.properties).toMatchObject({ account_sid: stranger, reason: "AccountSid is not a configured Twilio account" });
    const noAccount: Record<string, string> = voiceStatusParams({ CallSid: sidOf("CA", 0x921), CallDuration: "5" });
    delete noAccount.AccountSid;
    expect((await voiceStatus(signedTwilioPost(VOICE, noAccount))).status).toBe(403);
    expect(billingOnly(await snapshotTables(db))).toEqual(before);
  });

  it.each(routes)("$name: with no auth token configured every webhook is refused with a 500, signed or not", async (route) => {
    const { db } = database();
    const before = await snapshotTables(db);
    delete process.env.TWILIO_AUTH_TOKEN;
    delete process.env.TWILIO_ACCOUNT_SID;
    delete process.env.TWILIO_ACCOUNTS;
    for (const request of [signedTwilioPost(route.path, route.params), signedTwilioPost(route.path, route.params, { signature: null })]) {
      const res = await route.POST(request);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ success: false, error: expect.stringMatching(/Twilio webhooks are not configured/) });
    }
    process.env.TWILIO_ACCOUNTS = "{not json";
    expect((await route.POST(signedTwilioPost(route.path, route.params))).status).toBe(500);
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("TWILIO_AUTH_TOKEN alone (no account sid) checks every request with that token", async () => {
    delete process.env.TWILIO_ACCOUNT_SID;
    delete process.env.TWILIO_ACCOUNTS;
    const params = voiceStatusParams({ CallSid: sidOf("CA", 0x930), CallDuration: "5" });
    expect((await voiceStatus(signedTwilioPost(VOICE, params, { token: TOKEN_B }))).status).toBe(403);
    expect((await voiceStatus(signedTwilioPost(VOICE, params))).status).toBe(200);
  });

  it("without PUBLIC_BASE_URL the signed URL is rebuilt from X-Forwarded-Proto / X-Forwarded-Host or Host, with the query", async () => {
    delete process.env.PUBLIC_BASE_URL;
    const path = `${VOICE}?source=primary&x=a%20b`;
    const params = voiceStatusParams({ CallSid: sidOf("CA", 0x940), CallDuration: "5" });
    const proxied = signedTwilioPost(path, params, {
      signedUrl: `https://hooks.example.test${path}`,
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hooks.example.test" },
    });
    expect((await voiceStatus(proxied)).status).toBe(200);
    const direct = signedTwilioPost(path, params, { signedUrl: `http://direct.example.test:8080${path}`, requestUrl: `http://direct.example.test:8080${path}` });
    expect((await voiceStatus(direct)).status).toBe(200);
    const wrongProto = signedTwilioPost(path, { ...params, CallSid: sidOf("CA", 0x941) }, { signedUrl: `http://hooks.example.test${path}`, headers: { "x-forwarded-proto": "https", "x-forwarded-host": "hooks.example.test" } });
    expect((await voiceStatus(wrongProto)).status).toBe(403);
  });

  it("the configured URLs carry connection overrides in the fragment, which the signature does not cover", async () => {
    const urls = twilioWebhookUrls(PUBLIC_BASE);
    const voice = urls.find((u) => u.key === "voiceStatus")!;
    expect(voice.url).toBe(`${PUBLIC_BASE}/api/twilio/voice/status#rc=5&rp=all`);
    // Twilio sends and signs the URL without its fragment.
    const params = voiceStatusParams({ CallSid: sidOf("CA", 0x950), CallDuration: "5" });
    const res = await voiceStatus(signedTwilioPost(VOICE, params, { signedUrl: voice.url.split("#")[0] }));
    expect(res.status).toBe(200);
  });

  it("a body over 64 KiB is a 413 and a non-form body a 415, both writing nothing", async () => {
    const { db } = database();
    const before = await snapshotTables(db);
    const huge = voiceStatusParams({ CallSid: sidOf("CA", 0x960), CallDuration: "5", Padding: "x".repeat(70 * 1024) });
    expect((await voiceStatus(signedTwilioPost(VOICE, huge))).status).toBe(413);
    const json = new Request(`http://127.0.0.1:3000${VOICE}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const res = await voiceStatus(json);
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ success: false });
    expect(await snapshotTables(db)).toEqual(before);
  });
});
