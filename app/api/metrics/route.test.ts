// GET /api/metrics: the token gate, and every webhook request counted once under the outcome it came
// to, through the real webhook routes with requests signed as Twilio signs them.
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openPostgres, useDatabaseForTests } from "@/db/client";
import { captureLogs } from "@/lib/logging/test-support";
import { WEBHOOK_ENDPOINTS, WEBHOOK_OUTCOMES } from "@/lib/metrics/webhook-outcomes";
import { parseExposition, sampleValue, type Sample } from "@/lib/metrics/test-support";
import { countRows, createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { configureTwoTwilioAccounts, inboundSmsParams, mapNumberSince, messageStatusParams, signedTwilioPost, voiceStatusParams } from "@/lib/twilio/test-support";
import { POST as voiceStatus } from "../twilio/voice/status/route";
import { POST as smsInbound } from "../twilio/sms/inbound/route";
import { POST as smsStatus } from "../twilio/sms/status/route";
import { GET } from "./route";

configureTwoTwilioAccounts();
const TOKEN = "metrics-token-for-tests-7c1d";
const scrapeWith = (authorization?: string) =>
  GET(new Request("http://127.0.0.1:3000/api/metrics", { headers: authorization === undefined ? {} : { authorization } }));

async function scrape(): Promise<Sample[]> {
  const res = await scrapeWith(`Bearer ${TOKEN}`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

const requests = (samples: Sample[], endpoint: string, outcome: string) =>
  sampleValue(samples, "billing_map_webhook_requests_total", { endpoint, outcome }) ?? NaN;

describe("GET /api/metrics", () => {
  const database = useTestDatabase();
  afterEach(() => {
    process.env.METRICS_TOKEN = TOKEN;
  });

  beforeAll(async () => {
    process.env.METRICS_TOKEN = TOKEN;
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "clinic");
    await mapNumberSince(db, "clinic", "+14155550100", 1, new Date("2020-01-01T00:00:00Z"));
  });

  it("is 404 without METRICS_TOKEN, 401 without the right bearer token, and Prometheus text with it", async () => {
    delete process.env.METRICS_TOKEN;
    const off = await scrapeWith(`Bearer ${TOKEN}`);
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ success: false, error: expect.stringContaining("METRICS_TOKEN") });

    process.env.METRICS_TOKEN = TOKEN;
    for (const authorization of [undefined, "", `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN, "Bearer ", `Bearer ${TOKEN} extra`]) {
      const res = await scrapeWith(authorization);
      expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 });
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      const body = await res.text();
      expect(body).not.toContain("billing_map_");
      expect(body).not.toContain(TOKEN);
    }

    const res = await scrapeWith(`bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseExposition(await res.text());
    // The client's default process metrics are there.
    for (const name of ["process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_seconds"]) {
      expect(samples.some((s) => s.name === name), name).toBe(true);
    }
    // Every endpoint and outcome has its series from the start, and the database readings answered.
    for (const endpoint of WEBHOOK_ENDPOINTS) for (const outcome of WEBHOOK_OUTCOMES) expect(requests(samples, endpoint, outcome)).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, "billing_map_db_up")).toBe(1);
    expect(sampleValue(samples, "billing_map_unmatched_open")).toBe(0);
    // The pool's size: createTestDatabase opens 20 connections at most; PGlite is one.
    expect(sampleValue(samples, "billing_map_db_pool_max_connections")).toBe(database().kind === "postgres" ? 20 : 1);
    // On PostgreSQL, the app's connections by state (this test's pool is named billing-map too).
    const states = samples.filter((x) => x.name === "billing_map_db_connections").map((x) => x.labels.state);
    if (database().kind === "postgres") expect(states).toEqual(expect.arrayContaining(["active", "idle", "idle in transaction"]));
    else expect(states).toEqual([]);
  });

  it("counts each webhook request once, under the outcome it came to", async () => {
    const before = await scrape();
    const callSid = sidOf("CA", 0x7001);
    const completed = voiceStatusParams({ CallSid: callSid, CallDuration: "61" });
    const send = async (post: (r: Request) => Promise<Response>, path: string, params: Record<string, string>, options = {}) =>
      (await post(signedTwilioPost(path, params, options))).status;
    const VOICE = "/api/twilio/voice/status";
    expect(await send(voiceStatus, VOICE, completed)).toBe(200); // counted
    expect(await send(voiceStatus, VOICE, completed)).toBe(200); // duplicate
    expect(await send(voiceStatus, VOICE, completed)).toBe(200); // duplicate
    expect(await send(voiceStatus, VOICE, voiceStatusParams({ CallSid: sidOf("CA", 0x7002), CallStatus: "ringing" }))).toBe(200); // ignored
    expect(await send(voiceStatus, VOICE, voiceStatusParams({ CallSid: sidOf("CA", 0x7003), CallDuration: "5", To: "+14155550999" }))).toBe(200); // unmatched
    expect(await send(voiceStatus, VOICE, completed, { signature: "forged" })).toBe(403); // rejected_signature
    // Signed but unreadable: answered 2xx and kept in the inbox with the reason, counted invalid.
    expect(await send(voiceStatus, VOICE, voiceStatusParams({ CallSid: sidOf("CA", 0x7004), CallDuration: "a minute" }))).toBe(200); // invalid
    // Not a form post: refused before the signature is read, counted invalid too.
    expect((await smsStatus(new Request("http://127.0.0.1:3000/api/twilio/sms/status", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }))).status).toBe(415);
    expect(await send(smsInbound, "/api/twilio/sms/inbound", inboundSmsParams({ MessageSid: sidOf("SM", 0x7005) }))).toBe(200); // counted
    expect(await send(smsStatus, "/api/twilio/sms/status", messageStatusParams({ MessageSid: sidOf("SM", 0x7006), MessageStatus: "queued" }))).toBe(200); // ignored
    expect(await send(smsStatus, "/api/twilio/sms/status", messageStatusParams({ MessageSid: sidOf("SM", 0x7007) }), { signature: null })).toBe(403);

    const after = await scrape();
    const delta = (endpoint: string, outcome: string) => requests(after, endpoint, outcome) - requests(before, endpoint, outcome);
    const deltas = Object.fromEntries(WEBHOOK_ENDPOINTS.flatMap((e) => WEBHOOK_OUTCOMES.map((o) => [`${e}/${o}`, delta(e, o)])));
    expect(deltas).toEqual({
      ...Object.fromEntries(Object.keys(deltas).map((k) => [k, 0])),
      "voice_status/counted": 1,
      "voice_status/duplicate": 2,
      "voice_status/ignored": 1,
      "voice_status/unmatched": 1,
      "voice_status/rejected_signature": 1,
      "voice_status/invalid": 1,
      "sms_inbound/counted": 1,
      "sms_status/ignored": 1,
      "sms_status/invalid": 1,
      "sms_status/rejected_signature": 1,
    });
    // The unmatched inbox's gauge is its open rows, read at scrape time: the unmatched call and the
    // unreadable one.
    expect(sampleValue(after, "billing_map_unmatched_open")).toBe(await countRows(database().db, "unmatched_usage_events", sql`status = 'open'`));
    expect(sampleValue(after, "billing_map_unmatched_open")).toBe(2);
    // The webhook writer's batches: the five countable events went through it (the duplicates and the
    // unmatched one too: routes are read in the batch), each batch timed and sized.
    const batched = (name: string) => (sampleValue(after, name, { writer: "webhook" }) ?? 0) - (sampleValue(before, name, { writer: "webhook" }) ?? 0);
    expect(batched("billing_map_ledger_batch_size_sum")).toBe(5);
    expect(batched("billing_map_ledger_batch_seconds_count")).toBe(batched("billing_map_ledger_batch_size_count"));
    expect(batched("billing_map_ledger_batch_seconds_count")).toBeGreaterThanOrEqual(1);
  });

  it("a webhook the database cannot take is counted unavailable and logged with its request id", async () => {
    const logs = captureLogs();
    // A PostgreSQL nobody listens on: every statement fails to connect (503), nothing is stored.
    const dead = await openPostgres("postgres://nobody:secret-db-password@127.0.0.1:9/none", { max: 1 });
    try {
      const before = await scrape();
      useDatabaseForTests(dead);
      const res = await voiceStatus(
        signedTwilioPost("/api/twilio/voice/status", voiceStatusParams({ CallSid: sidOf("CA", 0x7101), CallDuration: "30" }), { headers: { "i-twilio-idempotency-token": "idem-token-7101" } }),
      );
      expect(res.status).toBe(503);
      useDatabaseForTests(database());
      const after = await scrape();
      expect(requests(after, "voice_status", "unavailable") - requests(before, "voice_status", "unavailable")).toBe(1);
      const line = logs.entries().find((e) => e.msg === "webhook not recorded");
      expect(line).toMatchObject({ level: "error", requestId: "idem-token-7101", endpoint: "voice_status", request: { method: "POST", path: "/api/twilio/voice/status" } });
      expect(logs.lines.join("")).not.toContain("secret-db-password");
      expect(logs.lines.join("")).not.toMatch(/x-twilio-signature/i);
    } finally {
      useDatabaseForTests(database());
      logs.restore();
      await dead.close();
    }
  });

  it("a scrape whose database is unreachable still answers, with billing_map_db_up 0 and the database gauges at their last reading", async () => {
    const logs = captureLogs();
    const dead = await openPostgres("postgres://nobody@127.0.0.1:9/none", { max: 1 });
    try {
      useDatabaseForTests(database());
      const lastReading = sampleValue(await scrape().finally(() => useDatabaseForTests(dead)), "billing_map_unmatched_open");
      const samples = await scrape();
      expect(sampleValue(samples, "billing_map_db_up")).toBe(0);
      expect(sampleValue(samples, "billing_map_unmatched_open")).toBe(lastReading);
      expect(samples.some((s) => s.name === "billing_map_webhook_requests_total")).toBe(true);
    } finally {
      useDatabaseForTests(database());
      logs.restore();
      await dead.close();
    }
  });

  it("reconciliation drift: the latest successful run of each account, a metric Twilio gave no figure for left out", async () => {
    const { db } = database();
    expect((await scrape()).filter((s) => s.name === "billing_map_reconciliation_drift")).toEqual([]);
    const A = sidOf("AC", 0xa);
    const run = (status: string, finished: string | null, drift: unknown) =>
      sql`insert into reconciliation_runs (account_sid, period, status, started_by, window_start, window_end, finished_at, drift)
          values (${A}, '2026-11', ${status}, 'test', '2026-11-01', '2026-12-02', ${finished}::timestamptz, ${JSON.stringify(drift)}::jsonb)`;
    await db.execute(run("succeeded", "2026-11-20T00:00:00Z", [{ metric: "calls_inbound_minutes", ledger: 90, twilio: 100, difference: -10 }]));
    await db.execute(
      run("succeeded", "2026-11-21T00:00:00Z", [
        { metric: "calls_inbound_minutes", ledger: 100, twilio: 100, difference: 0 },
        { metric: "sms_outbound_segments", ledger: 40, twilio: 43, difference: -3 },
        { metric: "mms_inbound_count", ledger: 2, twilio: null, difference: null },
      ]),
    );
    await db.execute(run("failed", "2026-11-22T00:00:00Z", null));
    await db.execute(run("running", null, null));
    try {
      const drift = (await scrape()).filter((s) => s.name === "billing_map_reconciliation_drift");
      expect(drift.map((s) => [s.labels.account, s.labels.metric, s.value]).sort()).toEqual([
        [A, "calls_inbound_minutes", 0],
        [A, "sms_outbound_segments", -3],
      ]);
    } finally {
      await db.execute(sql`delete from reconciliation_runs`);
    }
  });
});
