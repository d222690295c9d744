// Webhook throughput over HTTP with metrics counted and without, measured in the same run: two
// production servers on one database, one counting (METRICS_TOKEN set), one with METRICS_DISABLED=1
// (meters and batch observers do nothing), the same signed callbacks sent to each in turn, the order
// alternating from run to run. Then the time of a scrape of GET /api/metrics on the counting server.
// Targets (issue 17): metrics on >= 0.97x metrics off; a scrape < 25 ms.
//
// Runs alone, on a build of the app (NEXT_DIST_DIR, default .next-bench; --skip-build uses it as is):
//   npx tsx --conditions=react-server scripts/bench/http-metrics-overhead.ts [--events=18000] [--runs=3] [--connections=16] [--skip-build]
import { createBenchDatabase, dropAllBenchDatabases, type BenchDatabase } from "./bench-db";
import { makeEvents, seedFleet, verifyTotals, type BenchNumber, type ExpectedTotals } from "./fleet";
import { sendWithAutocannon, signedRequestsOf, type HttpFigures } from "./http-ingest";
import type { Results } from "./results";
import { buildApp, hasBuild, startServer, stopAllServers, type BenchServer } from "./server";
import { median, percentile, round } from "./stats";

export interface MetricsOverheadOptions {
  /** Signed callbacks sent to each server, split over the runs. */
  events: number;
  runs: number;
  connections: number;
  scrapes?: number;
  results?: Results;
  ports?: [number, number];
}

export interface MetricsOverheadFigures {
  onRps: number;
  offRps: number;
  ratio: number;
  scrapeMedianMs: number;
  scrapeP95Ms: number;
}

const TOKEN = "bench-metrics-token-0f1e2d3c";
const fmt = (n: number, digits = 0) => round(n, digits).toLocaleString("en-US");

function addTotals(into: ExpectedTotals, more: ExpectedTotals): void {
  for (const k of Object.keys(into) as Array<keyof ExpectedTotals>) into[k] += more[k];
}

async function scrape(server: BenchServer): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET /api/metrics answered ${res.status}: ${body.slice(0, 200)}`);
  return { ms, body };
}

/** The webhook requests a server counted (every endpoint and outcome). */
function countedRequests(exposition: string): number {
  let total = 0;
  for (const m of exposition.matchAll(/^billing_map_webhook_requests_total\{[^}]*\} (\S+)$/gm)) total += Number(m[1]);
  return total;
}

function assertAccepted(label: string, f: HttpFigures, expected: number): void {
  if (f.non2xx > 0 || f.errors > 0 || f.requests !== expected) {
    throw new Error(`${label}: ${f.requests} of ${expected} answered, ${f.non2xx} not 2xx, ${f.errors} errors/timeouts`);
  }
}

export async function metricsOverheadScenario(o: MetricsOverheadOptions): Promise<MetricsOverheadFigures> {
  const bench: BenchDatabase = await createBenchDatabase("metrics");
  const [portOn, portOff] = o.ports ?? [3341, 3342];
  try {
    const numbers: BenchNumber[] = await seedFleet(bench.sql, 100, 1000);
    const on = await startServer(portOn, bench.url, { METRICS_TOKEN: TOKEN });
    const off = await startServer(portOff, bench.url, { METRICS_TOKEN: TOKEN, METRICS_DISABLED: "1" });
    const expected: ExpectedTotals = { calls: 0, seconds: 0, minutes: 0, messages: 0, segments: 0 };
    let tag = 0x40;
    const batch = (n: number) => {
      const made = makeEvents(numbers, n, 0.05, (tag++).toString(16));
      addTotals(expected, made.expected);
      return signedRequestsOf(made.events);
    };
    // Warm-up: JIT and connection pools of both servers.
    for (const s of [on, off]) assertAccepted("warm-up", await sendWithAutocannon(s.url, batch(2000), o.connections), 2000);
    const sentToOn = { n: 2000 };

    const perRun = Math.ceil(o.events / o.runs);
    const onRuns: HttpFigures[] = [];
    const offRuns: HttpFigures[] = [];
    for (let r = 0; r < o.runs; r++) {
      const order: Array<[BenchServer, HttpFigures[]]> = r % 2 === 0 ? [[off, offRuns], [on, onRuns]] : [[on, onRuns], [off, offRuns]];
      for (const [server, into] of order) {
        const figures = await sendWithAutocannon(server.url, batch(perRun), o.connections);
        assertAccepted(server === on ? "metrics on" : "metrics off", figures, perRun);
        into.push(figures);
        if (server === on) sentToOn.n += perRun;
      }
    }
    await verifyTotals(bench.sql, expected, "metrics overhead");

    const scrapes: number[] = [];
    let last = "";
    for (let i = 0; i < (o.scrapes ?? 30); i++) {
      const { ms, body } = await scrape(on);
      if (i > 0) scrapes.push(ms); // the first one opens the scrape's code path
      last = body;
    }
    const countedOn = countedRequests(last);
    const countedOff = countedRequests((await scrape(off)).body);
    if (countedOn !== sentToOn.n || countedOff !== 0) {
      throw new Error(`webhook_requests_total: the counting server counted ${countedOn} of ${sentToOn.n}, the other ${countedOff} (want 0)`);
    }

    const onRps = median(onRuns.map((f) => f.requestsPerSecond));
    const offRps = median(offRuns.map((f) => f.requestsPerSecond));
    const sorted = [...scrapes].sort((a, b) => a - b);
    const figures = { onRps, offRps, ratio: onRps / offRps, scrapeMedianMs: median(scrapes), scrapeP95Ms: percentile(sorted, 95) };
    const add = (f: Parameters<Results["add"]>[0]) => (o.results ? o.results.add(f) : console.log(`  ${f.scenario} | ${f.measure}: ${f.value}${f.baseline ? ` (baseline ${f.baseline}, ratio ${f.ratio})` : ""}${f.target ? ` target ${f.target}: ${f.met ? "met" : "NOT met"}` : ""}`));
    add({
      scenario: "webhooks over HTTP, metrics on vs off",
      measure: `signed callbacks/s, ${o.connections} connections, ${fmt(perRun * o.runs)} callbacks per server in ${o.runs} runs, order alternating, exact counters checked`,
      value: `${fmt(onRps)} events/s with metrics`,
      baseline: `${fmt(offRps)} events/s with METRICS_DISABLED=1`,
      ratio: `${fmt(figures.ratio, 3)}x`,
      target: ">= 0.97x",
      met: figures.ratio >= 0.97,
    });
    add({
      scenario: "GET /api/metrics",
      measure: `scrape time on the counting server after the load, ${scrapes.length} scrapes (default metrics, database readings)`,
      value: `median ${fmt(figures.scrapeMedianMs, 1)} ms, p95 ${fmt(figures.scrapeP95Ms, 1)} ms`,
      target: "< 25 ms",
      met: figures.scrapeMedianMs < 25,
    });
    return figures;
  } finally {
    await stopAllServers();
    await bench.drop();
  }
}

if (process.argv[1]?.endsWith("http-metrics-overhead.ts")) {
  const value = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const options: MetricsOverheadOptions = {
    events: Number(value("events") ?? 18_000),
    runs: Number(value("runs") ?? 3),
    connections: Number(value("connections") ?? 16),
  };
  if (!process.argv.includes("--skip-build") || !hasBuild()) buildApp();
  console.log(`metrics overhead: ${fmt(options.events)} callbacks per server, ${options.runs} runs, ${options.connections} connections`);
  metricsOverheadScenario(options).then(
    () => process.exit(0),
    async (err: unknown) => {
      console.error(err);
      await stopAllServers();
      await dropAllBenchDatabases();
      process.exit(1);
    },
  );
}
