// Webhook throughput over HTTP with metrics counted and without, measured in the same run: two
// production servers on one database, one counting (METRICS_TOKEN set), one with METRICS_DISABLED=1
// (meters and batch observers do nothing), the same signed callbacks sent to each in turn, the order
// alternating from run to run. Then the time of a scrape of GET /api/metrics on the counting server.
// Targets (issue 17): metrics on >= 0.97x metrics off; a scrape < 25 ms.
//
// Part of npm run bench (--only=monitoring; the smoke run calls the route handlers in-process), or
// alone, on a build of the app (NEXT_DIST_DIR, default .next-bench; --skip-build uses it as is):
//   npx tsx --conditions=react-server scripts/bench/http-metrics-overhead.ts [--events=54000] [--runs=3] [--connections=16] [--skip-build]
import { closeDb, useDatabaseForTests } from "@/db/client";
import { createBenchDatabase, dropAllBenchDatabases, type BenchDatabase } from "./bench-db";
import { loadRoutes, postInProcess } from "./handler-breakdown";
import { makeEvents, seedFleet, verifyTotals, type BenchNumber, type ExpectedTotals } from "./fleet";
import { sendWithAutocannon, signedRequestsOf, type HttpFigures } from "./http-ingest";
import { Results } from "./results";
import { buildApp, hasBuild, startServer, stopAllServers, type BenchServer } from "./server";
import { median, percentile, round } from "./stats";

export interface MetricsOverheadOptions {
  smoke: boolean;
  /** Signed callbacks sent to each server, split over the runs. */
  events: number;
  runs: number;
  connections: number;
  results: Results;
  ports?: [number, number];
}

const SCRAPES = 30;

const TOKEN = "bench-metrics-token-0f1e2d3c";
const fmt = (n: number, digits = 0) => round(n, digits).toLocaleString("en-US");

/** The sum of the expected totals of several batches of events. */
function addTotals(into: ExpectedTotals | undefined, more: ExpectedTotals): ExpectedTotals {
  if (!into) return { ...more };
  for (const k of Object.keys(into) as Array<keyof ExpectedTotals>) into[k] += more[k];
  return into;
}

async function scrapeOver(fetchMetrics: () => Promise<Response>): Promise<{ ms: number; body: string }> {
  const t0 = performance.now();
  const res = await fetchMetrics();
  const body = await res.text();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET /api/metrics answered ${res.status}: ${body.slice(0, 200)}`);
  return { ms, body };
}

const scrape = (server: BenchServer) => scrapeOver(() => fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }));

/** The webhook requests a server counted (every endpoint and outcome). */
function countedRequests(exposition: string): number {
  let total = 0;
  for (const m of exposition.matchAll(/^billing_map_webhook_requests_total\{[^}]*\} (\S+)$/gm)) total += Number(m[1]);
  return total;
}

/** Scrapes SCRAPES times (the first opens the code path and is not timed); the last exposition too. */
async function timedScrapes(once: () => Promise<{ ms: number; body: string }>): Promise<{ times: number[]; last: string }> {
  const times: number[] = [];
  let last = "";
  for (let i = 0; i < SCRAPES; i++) {
    const { ms, body } = await once();
    if (i > 0) times.push(ms);
    last = body;
  }
  return { times, last };
}

function addScrapeFigure(o: MetricsOverheadOptions, times: number[], where: string): void {
  const sorted = [...times].sort((x, y) => x - y);
  o.results.add({
    scenario: "GET /api/metrics",
    measure: `scrape ${where}, ${times.length} scrapes (default metrics, database readings)`,
    target: "monitoring.scrape",
    value: median(times),
    unit: "ms",
    detail: `p95 ${fmt(percentile(sorted, 95), 1)} ms`,
  });
}

/** Smoke: the webhook and metrics route handlers in-process, counts checked (no timing verdicts). */
async function smokeInProcess(o: MetricsOverheadOptions, bench: BenchDatabase, numbers: BenchNumber[]): Promise<void> {
  const open = await bench.open({ max: 4 });
  try {
    useDatabaseForTests(open);
    process.env.METRICS_TOKEN = TOKEN;
    const routes = await loadRoutes();
    const { GET } = await import("@/app/api/metrics/route");
    const metricsOf = () => GET(new Request("http://127.0.0.1/api/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }));
    const before = countedRequests((await scrapeOver(metricsOf)).body);
    const made = makeEvents(numbers, 300, 0.05, "4f");
    await postInProcess(routes, signedRequestsOf(made.events), 8);
    await verifyTotals(bench.sql, made.expected, "metrics smoke");
    const { times, last } = await timedScrapes(() => scrapeOver(metricsOf));
    if (countedRequests(last) - before !== made.events.length) throw new Error(`webhook_requests_total counted ${countedRequests(last) - before} of ${made.events.length}`);
    addScrapeFigure(o, times, "in-process after 300 callbacks");
  } finally {
    await closeDb(); // the process database is `open`
  }
}

function assertAccepted(label: string, f: HttpFigures, expected: number): void {
  if (f.non2xx > 0 || f.errors > 0 || f.requests !== expected) {
    throw new Error(`${label}: ${f.requests} of ${expected} answered, ${f.non2xx} not 2xx, ${f.errors} errors/timeouts`);
  }
}

export async function metricsOverheadScenario(o: MetricsOverheadOptions): Promise<void> {
  const bench: BenchDatabase = await createBenchDatabase("metrics");
  const [portOn, portOff] = o.ports ?? [3206, 3207];
  try {
    const numbers: BenchNumber[] = await seedFleet(bench.sql, o.smoke ? 5 : 100, o.smoke ? 20 : 1000);
    if (o.smoke) return await smokeInProcess(o, bench, numbers);
    const on = await startServer(portOn, bench.url, { METRICS_TOKEN: TOKEN });
    const off = await startServer(portOff, bench.url, { METRICS_TOKEN: TOKEN, METRICS_DISABLED: "1" });
    let expected: ExpectedTotals | undefined;
    let tag = 0x40;
    const batch = (n: number) => {
      const made = makeEvents(numbers, n, 0.05, (tag++).toString(16));
      expected = addTotals(expected, made.expected);
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
    await verifyTotals(bench.sql, expected!, "metrics overhead");

    const { times, last } = await timedScrapes(() => scrape(on));
    const countedOn = countedRequests(last);
    const countedOff = countedRequests((await scrape(off)).body);
    if (countedOn !== sentToOn.n || countedOff !== 0) {
      throw new Error(`webhook_requests_total: the counting server counted ${countedOn} of ${sentToOn.n}, the other ${countedOff} (want 0)`);
    }
    o.results.add({
      scenario: "webhooks over HTTP, metrics on vs off",
      measure: `signed callbacks/s, ${o.connections} connections, ${fmt(perRun * o.runs)} callbacks per server in ${o.runs} runs, order alternating, exact counters checked`,
      target: "monitoring.metrics-overhead",
      case: `${o.connections} connections`,
      value: median(onRuns.map((f) => f.requestsPerSecond)),
      unit: "events/s",
      baseline: { what: "METRICS_DISABLED=1", value: median(offRuns.map((f) => f.requestsPerSecond)), unit: "events/s" },
      detail: `p99 ${fmt(median(onRuns.map((f) => f.p99Ms)), 1)} ms vs ${fmt(median(offRuns.map((f) => f.p99Ms)), 1)} ms`,
    });
    addScrapeFigure(o, times, "of the counting server after the load");
  } finally {
    await stopAllServers();
    await bench.drop();
  }
}

if (process.argv[1]?.endsWith("http-metrics-overhead.ts")) {
  const value = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const options: MetricsOverheadOptions = {
    smoke: false,
    results: new Results("full"),
    events: Number(value("events") ?? 54_000),
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
