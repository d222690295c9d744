// npm run bench [-- --smoke] [-- --only=ingest,audit-log,report,export,reconcile] [-- --runs=3] [-- --http-events=54000]
//   [-- --reconcile-records=1000000] [-- --skip-build]
//
// Full run: builds the app into .next-bench (unless --skip-build), makes databases of its own on the
// local PostgreSQL (scripts/ensure-postgres.sh), runs every scenario, prints the figures and appends them
// to BENCHMARKS.md. Smoke run (--smoke, part of the test command): small data, every scenario's code
// path (route handlers called in-process instead of a production server), no timing assertions; it fails
// (exit 1) on a wrong count. Every database it made is dropped, every server it started is stopped.
import { execFileSync } from "node:child_process";
import { dropAllBenchDatabases } from "./bench-db";
import { auditLogScenario } from "./scenario-audit-log";
import { ingestScenario } from "./scenario-ingest";
import { reconcileScenario } from "./scenario-reconcile";
import { Results } from "./results";
import { buildApp, hasBuild, stopAllServers } from "./server";

const SCENARIOS = ["ingest", "audit-log", "report", "export", "reconcile"] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseArgs(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const only = value("only")?.split(",") as Scenario[] | undefined;
  for (const s of only ?? []) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario "${s}" (one of ${SCENARIOS.join(", ")})`);
  return {
    smoke: flag("smoke"),
    skipBuild: flag("skip-build"),
    runs: Number(value("runs") ?? 3),
    // The ingestion load is 50,000+ events: 54,000 per HTTP configuration, 18,000 (about 10 s)
    // per run. Runs of 6,000 (3 s) spread several points from run to run.
    httpEvents: Number(value("http-events") ?? 54_000),
    // Records of each reconciliation run (the size: 1,000,000); even.
    reconcileRecords: value("reconcile-records") === undefined ? undefined : Number(value("reconcile-records")),
    scenarios: only ?? [...SCENARIOS],
  };
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers and dropping the databases of this run...`);
    void stopAllServers()
      .then(dropAllBenchDatabases)
      .finally(() => process.exit(130));
  });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const results = new Results();
  const started = Date.now();
  console.log(`billing-map benchmark (${args.smoke ? "smoke" : "full"}): ${args.scenarios.join(", ")}`);
  console.log(`  machine: ${results.machine()}`);
  const runs = args.smoke ? 1 : args.runs;
  const needsServer = !args.smoke && args.scenarios.some((s) => s !== "report" && s !== "reconcile");
  if (needsServer && (!args.skipBuild || !hasBuild())) buildApp();

  for (const scenario of args.scenarios) {
    console.log(`\n== ${scenario}`);
    if (scenario === "ingest") await ingestScenario({ smoke: args.smoke, runs, httpEvents: args.httpEvents, results });
    if (scenario === "reconcile") await reconcileScenario({ smoke: args.smoke, records: args.reconcileRecords, results });
    if (scenario === "audit-log" || scenario === "report" || scenario === "export") {
      // The three share one large generated database; run them together once.
      const wanted = args.scenarios.filter((s) => s !== "ingest" && s !== "reconcile");
      if (scenario !== wanted[0]) continue;
      await auditLogScenario({ smoke: args.smoke, runs, results, parts: wanted });
    }
  }
  console.log(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
  if (!args.smoke) {
    let commit = "unknown";
    try {
      commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    } catch {
      /* not a git checkout */
    }
    results.appendTo(
      undefined,
      [
        `Commit ${commit}. Runs per figure: ${runs} (median). Scenarios: ${args.scenarios.join(", ")}.`,
        `Data: ingestion 100 tenants / 1,000 numbers, 50,000 events per lib-path run, 5,000 per SQL per-event run, ${args.httpEvents.toLocaleString("en-US")} signed callbacks per HTTP configuration;`,
        `reading scenarios 100 tenants / 10,000 numbers / 120,000 counters / 5,000,000 log rows (1,000,000 in the exported period).`,
        `Ledger writer: at most ${process.env.LEDGER_MAX_CONCURRENT_BATCHES ?? 2} batches in flight, ${process.env.LEDGER_MAX_BATCH_SIZE ?? 300} events per batch. Load average = 1/5/15 min when the figure was taken (the machine is shared).`,
      ].join("\n"),
    );
  }
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error(`\nBENCHMARK FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await stopAllServers();
    await dropAllBenchDatabases();
    process.exit(1);
  },
);
