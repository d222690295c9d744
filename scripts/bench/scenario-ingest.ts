// Scenario 1: ingestion. The lib/billing write path without HTTP, the database's per-event limit
// (log_voice_usage / log_sms_usage straight in SQL), log_usage_batch alone, and signed Twilio callbacks
// over HTTP against a production build, next to the empty route of the same build under the same load,
// with one and two server processes. Every run ends by checking the counters against the distinct
// events sent: a wrong count fails the benchmark.
import { createBenchDatabase, type BenchDatabase } from "./bench-db";
import { answersWithDatabaseDown } from "./database-down";
import { makeEvents, resetLedger, seedFleet, verifyTotals, type BenchNumber } from "./fleet";
import { sendWithAutocannon, signedRequestsOf, type HttpFigures, type SignedRequest } from "./http-ingest";
import type { Results } from "./results";
import { handlerBreakdown, type StageFigures } from "./handler-breakdown";
import { startServer, type BenchServer } from "./server";
import { median, round } from "./stats";
import { benchLibWritePath, benchSqlBatches, benchSqlPerEvent, type IngestFigures } from "./write-path";
import os from "node:os";

/**
 * Lets the previous phase's background work (autovacuum, analyze, a spread checkpoint) finish before an
 * HTTP level is measured: vacuums the ledger tables itself, then waits for the machine's 1-minute load
 * to fall under 1.5 (at most 60 s). The HTTP figures compare two routes under the same load; a
 * maintenance burst landing in one of them skews the level by up to ~15 points.
 */
async function settle(sql: BenchDatabase["sql"]): Promise<void> {
  await sql`vacuum (analyze) tenant_usage_logs, tenant_usage_counters, tenant_usage_daily, unmatched_usage_events`;
  const until = Date.now() + 60_000;
  while (os.loadavg()[0]! >= 1.5 && Date.now() < until) await new Promise((r) => setTimeout(r, 2000));
}

/** Data of the ingestion scenario: the fleet, and the events each part sends per run. */
export const INGEST_SIZES = {
  full: { tenants: 100, numbers: 1000, libEventsPerRun: 50_000, sqlPerEventEventsPerRun: 5_000, breakdownCallbacksPerRun: 6_000 },
  smoke: { tenants: 5, numbers: 20, libEventsPerRun: 600, sqlPerEventEventsPerRun: 200, breakdownCallbacksPerRun: 300 },
} as const;

export interface IngestOptions {
  smoke: boolean;
  runs: number;
  /** Callbacks sent per concurrency level over HTTP (split over the runs). */
  httpEvents: number;
  results: Results;
}

const fmt = (n: number, digits = 0) => round(n, digits).toLocaleString("en-US");
const tag = (i: number) => (0x10 + i).toString(16);

function medianOf<T>(runs: T[], pick: (t: T) => number): number {
  return median(runs.map(pick));
}

export async function ingestScenario(o: IngestOptions): Promise<void> {
  const bench = await createBenchDatabase("ingest");
  try {
    const sizes = INGEST_SIZES[o.smoke ? "smoke" : "full"];
    const numbers = await seedFleet(bench.sql, sizes.tenants, sizes.numbers);
    let run = 0;
    await libWritePath(o, bench, numbers, () => tag(run++));
    await sqlBaselines(o, bench, numbers, () => tag(run++));
    await whereTheTimeGoes(o, bench, numbers, () => tag(run++));
    await databaseDown(o, numbers, tag(run++));
    if (!o.smoke) await overHttp(o, bench, numbers, () => tag(run++));
  } finally {
    await bench.drop();
  }
}

async function libWritePath(o: IngestOptions, bench: BenchDatabase, numbers: BenchNumber[], nextTag: () => string) {
  const events = INGEST_SIZES[o.smoke ? "smoke" : "full"].libEventsPerRun;
  for (const callers of o.smoke ? [64] : [256, 1024]) {
    const runs: IngestFigures[] = [];
    for (let r = 0; r < o.runs; r++) runs.push(await benchLibWritePath(bench, numbers, events, callers, nextTag()));
    o.results.add({
      scenario: "ingest: lib write path (no HTTP)",
      measure: `events/s, ${callers} concurrent callers, ${fmt(events)} events (5 % repeats), exact counters checked`,
      target: "ingest.lib-write-path",
      case: `${fmt(callers)} callers`,
      value: medianOf(runs, (f) => f.eventsPerSecond),
      unit: "events/s",
      detail: `p50 ${fmt(medianOf(runs, (f) => f.p50Ms), 1)} ms, p99 ${fmt(medianOf(runs, (f) => f.p99Ms), 1)} ms, mean batch ${medianOf(runs, (f) => Number(f.extra?.meanBatch))}`,
    });
  }
  const batchRuns: IngestFigures[] = [];
  for (let r = 0; r < o.runs; r++) batchRuns.push(await benchSqlBatches(bench, numbers, events, o.smoke ? 100 : 500, 1, nextTag()));
  const batchRate = medianOf(batchRuns, (f) => f.eventsPerSecond);
  o.results.add({
    scenario: "ingest: log_usage_batch alone (SQL)",
    measure: `events/s, prebuilt batches of ${o.smoke ? 100 : 500}, 1 connection`,
    value: batchRate,
    unit: "events/s",
    detail: `${fmt(1e6 / batchRate)} µs of database per event`,
  });
}

async function sqlBaselines(o: IngestOptions, bench: BenchDatabase, numbers: BenchNumber[], nextTag: () => string) {
  const events = INGEST_SIZES[o.smoke ? "smoke" : "full"].sqlPerEventEventsPerRun;
  for (const connections of o.smoke ? [4] : [16, 64]) {
    const runs: IngestFigures[] = [];
    try {
      for (let r = 0; r < o.runs; r++) runs.push(await benchSqlPerEvent(bench, numbers, events, connections, nextTag()));
    } catch (err) {
      // The server is shared: other test runs may hold most of max_connections at that moment.
      if ((err as { code?: string }).code !== "53300") throw err;
      o.results.note(`database per-event limit at ${connections} connections: not measured, the server had no ${connections} free connections (too many clients)`);
      continue;
    }
    o.results.add({
      scenario: "ingest: database per-event limit (SQL)",
      measure: `log_voice_usage / log_sms_usage, one transaction per event, ${connections} connections, ${fmt(events)} events`,
      value: medianOf(runs, (f) => f.eventsPerSecond),
      unit: "events/s",
      detail: `p50 ${fmt(medianOf(runs, (f) => f.p50Ms), 1)} ms, p99 ${fmt(medianOf(runs, (f) => f.p99Ms), 1)} ms`,
    });
  }
}

/** The webhook handler in-process, whole and stage by stage (the smoke run's check of the route handlers). */
async function whereTheTimeGoes(o: IngestOptions, bench: BenchDatabase, numbers: BenchNumber[], nextTag: () => string) {
  const total = INGEST_SIZES[o.smoke ? "smoke" : "full"].breakdownCallbacksPerRun;
  const concurrency = 16;
  const runs: StageFigures[][] = [];
  for (let r = 0; r < o.runs; r++) runs.push(await handlerBreakdown(bench, numbers, total, concurrency, nextTag()));
  for (const [i, { stage }] of runs[0]!.entries()) {
    const perSecond = median(runs.map((fs) => fs[i]!.perSecond));
    o.results.add({
      scenario: "webhook handler in-process (where the time goes)",
      measure: `${stage}, ${concurrency} concurrent, ${fmt(total)} callbacks`,
      value: perSecond,
      unit: "/s",
      detail: `${fmt(1e6 / perSecond)} µs each`,
    });
  }
}

/** The webhook's 503 while the database is unreachable (in-process, one request at a time). */
async function databaseDown(o: IngestOptions, numbers: BenchNumber[], runTag: string) {
  const count = o.smoke ? 5 : 60;
  const { medianMs, slowestMs } = await answersWithDatabaseDown(numbers, count, runTag);
  o.results.add({
    scenario: "webhook handler in-process, database unreachable",
    measure: `slowest of ${count} answers (503, Twilio retries), one at a time`,
    target: "ingest.database-down-answer",
    value: slowestMs,
    unit: "ms",
    detail: `median ${fmt(medianMs, 2)} ms`,
  });
}

function assertAllAccepted(label: string, f: HttpFigures, expected: number) {
  if (f.non2xx > 0 || f.errors > 0 || f.requests !== expected) {
    throw new Error(`${label}: ${f.requests} of ${expected} requests answered, ${f.non2xx} not 2xx, ${f.errors} errors/timeouts`);
  }
}

async function overHttp(o: IngestOptions, bench: BenchDatabase, numbers: BenchNumber[], nextTag: () => string) {
  const server = await startServer(3204, bench.url);
  try {
    // Warm both routes up (JIT, connection pool) on every server, then start from an empty ledger. The
    // webhook route has far more code to optimise than the empty one: 400 requests each leave part of
    // its warm-up in the first level; 2,000 each (a few seconds) do not.
    const warm = signedRequestsOf(makeEvents(numbers, 2000, 0, nextTag()).events);
    const warmUp = async (s: BenchServer) => {
      await sendWithAutocannon(s.url, warm, 16, "/api/bench/empty");
      await sendWithAutocannon(s.url, warm, 16);
    };
    await warmUp(server);
    for (const connections of [16, 64]) await httpLevel(o, bench, numbers, [server], connections, nextTag());
    const second = await startServer(3205, bench.url);
    try {
      await warmUp(second);
      await httpLevel(o, bench, numbers, [server, second], 64, nextTag());
    } finally {
      await second.stop();
    }
  } finally {
    await server.stop();
  }
}

/** Sends requests split evenly over the servers at once (connections split too); figures summed. */
async function sendSplit(servers: BenchServer[], requests: SignedRequest[], connections: number, path?: string): Promise<HttpFigures> {
  const share = Math.ceil(requests.length / servers.length);
  const parts = await Promise.all(
    servers.map((s, i) => sendWithAutocannon(s.url, requests.slice(i * share, (i + 1) * share), Math.max(1, Math.round(connections / servers.length)), path)),
  );
  return {
    requests: parts.reduce((a, p) => a + p.requests, 0),
    requestsPerSecond: parts.reduce((a, p) => a + p.requestsPerSecond, 0),
    p50Ms: Math.max(...parts.map((p) => p.p50Ms)),
    p99Ms: Math.max(...parts.map((p) => p.p99Ms)),
    non2xx: parts.reduce((a, p) => a + p.non2xx, 0),
    errors: parts.reduce((a, p) => a + p.errors, 0),
  };
}

async function httpLevel(o: IngestOptions, bench: BenchDatabase, numbers: BenchNumber[], servers: BenchServer[], connections: number, runTag: string) {
  await resetLedger(bench.sql);
  await settle(bench.sql);
  const { events, distinct, expected } = makeEvents(numbers, o.httpEvents, 0.05, runTag);
  const requests = signedRequestsOf(events);
  const per = Math.ceil(requests.length / o.runs);
  const empty: HttpFigures[] = [];
  const hooks: HttpFigures[] = [];
  let peakRss = 0;
  for (let r = 0; r < o.runs; r++) {
    const slice = requests.slice(r * per, (r + 1) * per);
    const e = await sendSplit(servers, slice, connections, "/api/bench/empty");
    assertAllAccepted("empty route", e, slice.length);
    empty.push(e);
    for (const s of servers) s.resetPeak();
    const h = await sendSplit(servers, slice, connections);
    assertAllAccepted("webhook routes", h, slice.length);
    hooks.push(h);
    peakRss = Math.max(peakRss, ...servers.map((s) => s.peakRssMb()));
  }
  await verifyTotals(bench.sql, expected, `HTTP ingestion (${servers.length} server(s), ${connections} connections)`);
  // Every number is mapped: nothing stays open in the inbox. A dialed leg that came before its parent
  // waited there and was counted with it (status 'assigned' by 'call-legs'); nothing else is there.
  const [inbox] = await bench.sql<{ open: number; other: number; legs: number }[]>`
    select count(*) filter (where status = 'open')::int as open,
      count(*) filter (where status <> 'open' and resolved_by is distinct from 'call-legs')::int as other,
      count(*) filter (where resolved_by = 'call-legs')::int as legs
    from unmatched_usage_events`;
  if (inbox!.open !== 0 || inbox!.other !== 0) {
    throw new Error(`HTTP ingestion: ${inbox!.open} events open in the unmatched inbox and ${inbox!.other} resolved by others than call-legs; every number is mapped`);
  }
  o.results.note(`HTTP ingestion (${servers.length} server(s), ${connections} connections): ${fmt(inbox!.legs)} dialed legs came before their parent call, waited in the inbox and were counted with it`);

  const hookRps = medianOf(hooks, (f) => f.requestsPerSecond);
  const emptyRps = medianOf(empty, (f) => f.requestsPerSecond);
  const hookP99 = medianOf(hooks, (f) => f.p99Ms);
  const emptyP99 = medianOf(empty, (f) => f.p99Ms);
  // One server process is what the targets are about; two on the same database are reported (the two
  // servers and PostgreSQL share the machine's cores).
  const one = servers.length === 1;
  const label = one ? "1 server process" : `${servers.length} server processes, same database`;
  o.results.add({
    scenario: `ingest over HTTP (${label})`,
    measure: `signed callbacks/s, ${connections} connections, ${fmt(requests.length)} callbacks (${fmt(distinct)} distinct) in ${o.runs} runs, exact counters checked`,
    ...(one ? { target: "ingest.http.rate" as const, case: `${connections} connections` } : {}),
    value: hookRps,
    unit: "events/s",
    baseline: { what: "empty route", value: emptyRps, unit: "req/s" },
  });
  o.results.add({
    scenario: `ingest over HTTP (${label})`,
    measure: `latency p99, ${connections} connections`,
    ...(one ? { target: "ingest.http.p99" as const, case: `${connections} connections` } : {}),
    value: hookP99,
    unit: "ms",
    detail: `p50 ${fmt(medianOf(hooks, (f) => f.p50Ms), 1)} ms (empty route ${fmt(medianOf(empty, (f) => f.p50Ms), 1)} ms)`,
    baseline: { what: "empty route", value: emptyP99, unit: "ms" },
  });
  o.results.add({
    scenario: `ingest over HTTP (${label})`,
    measure: `server peak RSS during ingestion, ${connections} connections (largest process tree)`,
    value: peakRss,
    unit: "MB",
  });
}
