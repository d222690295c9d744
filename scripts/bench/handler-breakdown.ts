// Where a webhook request's time goes, measured in-process (no HTTP) at the HTTP load's concurrency:
// the route handler whole, and its stages on their own: reading + signature check + parsing (no
// database), the mapping lookup (one query per request), the unmatched-inbox check (one query per
// request), the ledger write (batched), and the lookup + write in one batched statement the handler runs. Requests per second of each stage alone; its inverse is
// the stage's cost per request on this machine.
import { and, desc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { tenantPhoneMappings } from "@/db/schema";
import { closeDb, queryRows, useDatabaseForTests } from "@/db/client";
import { findActiveMappingForNumber } from "@/lib/billing/mapping";
import { logSmsUsage, logVoiceUsage, smsMetadataOf, voiceMetadataOf } from "@/lib/billing/usage";
import { writeRoutableUsageEvent } from "@/lib/billing/webhook-writer";
import { readTwilioForm } from "@/lib/twilio/form-body";
import { verifyTwilioRequest } from "@/lib/twilio/signature";
import type { BenchDatabase } from "./bench-db";
import { makeEvents, resetLedger, verifyTotals, type BenchEvent, type BenchNumber } from "./fleet";
import { signedRequestsOf, type SignedRequest } from "./http-ingest";
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN, BENCH_PUBLIC_BASE } from "./server";
import { runConcurrently } from "./stats";

type Route = { POST: (r: Request) => Promise<Response> };

export interface StageFigures {
  stage: string;
  perSecond: number;
}

function requestOf(path: string, r: SignedRequest): Request {
  return new Request(BENCH_PUBLIC_BASE + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": r.signature },
    body: r.body,
  });
}

export async function loadRoutes(): Promise<Record<string, Route>> {
  Object.assign(process.env, {
    PUBLIC_BASE_URL: BENCH_PUBLIC_BASE,
    TWILIO_ACCOUNT_SID: BENCH_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: BENCH_AUTH_TOKEN,
    TWILIO_ACCOUNTS: "",
    BENCH_ROUTES: "1",
  });
  return {
    "/api/twilio/voice/status": await import("@/app/api/twilio/voice/status/route"),
    "/api/twilio/sms/inbound": await import("@/app/api/twilio/sms/inbound/route"),
    "/api/twilio/sms/status": await import("@/app/api/twilio/sms/status/route"),
    "/api/bench/empty": await import("@/app/api/bench/empty/route"),
  };
}

/** Posts every request to its route handler in this process; throws on any answer but 200. */
export async function postInProcess(routes: Record<string, Route>, requests: SignedRequest[], concurrency: number, pathOverride?: string) {
  return runConcurrently(requests, concurrency, async (r) => {
    const path = pathOverride ?? r.path;
    const res = await routes[path]!.POST(requestOf(path, r));
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  });
}

export async function handlerBreakdown(bench: BenchDatabase, numbers: BenchNumber[], total: number, concurrency: number, runTag: string): Promise<StageFigures[]> {
  const routes = await loadRoutes();
  const open = await bench.open({ max: 10 });
  useDatabaseForTests(open);
  const db = open.db;
  const rate = (n: number, ms: number) => n / (ms / 1000);
  try {
    await resetLedger(bench.sql);
    const { events, expected } = makeEvents(numbers, total, 0.05, runTag);
    const requests = signedRequestsOf(events);
    const out: StageFigures[] = [];
    const empty = await postInProcess(routes, requests, concurrency, "/api/bench/empty");
    out.push({ stage: "empty route handler", perSecond: rate(requests.length, empty.wallMs) });
    const parse = await runConcurrently(requests, concurrency, async (r) => {
      const req = requestOf(r.path, r);
      await verifyTwilioRequest(req, await readTwilioForm(req));
    });
    out.push({ stage: "read form + check signature (no database)", perSecond: rate(requests.length, parse.wallMs) });
    const at = new Date("2025-06-10T00:00:00Z");
    const lookup = await runConcurrently(events, concurrency, async (e) => {
      if (!(await findActiveMappingForNumber(db, e.number.phoneNumber, at))) throw new Error(`no mapping for ${e.number.phoneNumber}`);
    });
    out.push({ stage: "mapping lookup (1 query per request)", perSecond: rate(events.length, lookup.wallMs) });
    // The same lookup as a prepared statement (parsed and planned once per connection).
    const prepared = db
      .select()
      .from(tenantPhoneMappings)
      .where(
        and(
          eq(tenantPhoneMappings.phoneNumber, sql.placeholder("phone")),
          lte(tenantPhoneMappings.provisionedAt, sql.placeholder("at")),
          or(isNull(tenantPhoneMappings.deprovisionedAt), gt(tenantPhoneMappings.deprovisionedAt, sql.placeholder("at"))),
        ),
      )
      .orderBy(desc(tenantPhoneMappings.provisionedAt))
      .limit(1)
      .prepare("bench_find_active_mapping");
    const preparedLookup = await runConcurrently(events, concurrency, async (e) => {
      if ((await prepared.execute({ phone: e.number.phoneNumber, at: at.toISOString() })).length !== 1) throw new Error(`no mapping for ${e.number.phoneNumber}`);
    });
    out.push({ stage: "mapping lookup, prepared statement", perSecond: rate(events.length, preparedLookup.wallMs) });
    // Coalesced: the lookups of 32 requests in one query (what a batching reader would send).
    const groups: BenchEvent[][] = [];
    for (let i = 0; i < events.length; i += 32) groups.push(events.slice(i, i + 32));
    const coalesced = await runConcurrently(groups, Math.max(1, Math.floor(concurrency / 8)), async (g) => {
      const phones = [...new Set(g.map((e) => e.number.phoneNumber))];
      const rows = await queryRows<{ phone_number: string }>(
        db,
        sql`select distinct on (phone_number) phone_number, id, tenant_id from tenant_phone_mappings
            where phone_number = any(string_to_array(${phones.join(",")}, ',')) and provisioned_at <= ${at.toISOString()}::timestamptz
              and (deprovisioned_at is null or deprovisioned_at > ${at.toISOString()}::timestamptz)
            order by phone_number, provisioned_at desc`,
      );
      if (rows.length !== phones.length) throw new Error("coalesced lookup missed a number");
    });
    out.push({ stage: "mapping lookup, 32 requests coalesced into one query", perSecond: rate(events.length, coalesced.wallMs) });
    const unmatched = await runConcurrently(events, concurrency, async (e) => {
      const key = e.kind === "voice" ? `voice:${e.callSid}` : `sms:${e.direction}:${e.messageSid}`;
      await queryRows(db, sql`select 1 as one from unmatched_usage_events where idempotency_key = ${key} limit 1`);
    });
    out.push({ stage: "unmatched-inbox check (1 query per request)", perSecond: rate(events.length, unmatched.wallMs) });
    const write = await runConcurrently(events, concurrency, (e: BenchEvent) =>
      (e.kind === "voice"
        ? logVoiceUsage(db, { tenantId: e.number.tenantId, phoneMappingId: e.number.mappingId, durationSeconds: e.seconds, callSid: e.callSid, startedAt: e.startedAt, metadata: { direction: e.direction } })
        : logSmsUsage(db, { tenantId: e.number.tenantId, phoneMappingId: e.number.mappingId, direction: e.direction, messageSid: e.messageSid, numSegments: e.segments, timestamp: e.at })
      ).then(() => undefined),
    );
    out.push({ stage: "ledger write, batched (logVoiceUsage / logSmsUsage)", perSecond: rate(events.length, write.wallMs) });
    await verifyTotals(bench.sql, expected, "handler breakdown: ledger write");
    await resetLedger(bench.sql);
    // What the webhook handler runs: the lookup and the count in one batched statement.
    const routed = await runConcurrently(events, concurrency, (e: BenchEvent) =>
      writeRoutableUsageEvent(
        db,
        e.kind === "voice"
          ? { kind: "voice", durationSeconds: e.seconds, phoneNumber: e.number.phoneNumber, eventAt: e.startedAt, idempotencyKey: `voice:${e.callSid}`,
              metadata: voiceMetadataOf({ metadata: { direction: e.direction }, callSid: e.callSid, startedAt: e.startedAt }) }
          : { kind: "sms", direction: e.direction, phoneNumber: e.number.phoneNumber, eventAt: e.at, idempotencyKey: `sms:${e.direction}:${e.messageSid}`,
              metadata: smsMetadataOf({ metadata: {}, messageSid: e.messageSid, numSegments: e.segments, timestamp: e.at }) },
      ).then((r) => {
        if (!r.routed) throw new Error(`routed write: ${e.number.phoneNumber} was not routed`);
      }),
    );
    out.push({ stage: "lookup + ledger write in one batched statement (log_webhook_usage_batch)", perSecond: rate(events.length, routed.wallMs) });
    await verifyTotals(bench.sql, expected, "handler breakdown: routed write");
    await resetLedger(bench.sql);
    const whole = await postInProcess(routes, requests, concurrency);
    out.push({ stage: "webhook route handler, whole", perSecond: rate(requests.length, whole.wallMs) });
    await verifyTotals(bench.sql, expected, "handler breakdown: route handlers");
    return out;
  } finally {
    await closeDb();
  }
}
