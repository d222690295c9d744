// npm run bench [-- --smoke] [-- --only=ingest,audit-log,report,export,pricing,monitoring,ledger-verify,reconcile] [-- --runs=3]
//   [-- --http-events=54000] [-- --reconcile-records=1000000] [-- --skip-build]
//
// Full run: builds the app into .next-bench (unless --skip-build), makes databases of its own on the
// local PostgreSQL (scripts/ensure-postgres.sh), runs every scenario, prints the figures, writes them to
// bench/results/<UTC time>-<commit>.json and regenerates BENCHMARKS.md's table from bench/results/.
// Smoke run (--smoke, part of the test command): small data, every scenario's code path (route handlers
// called in-process instead of a production server), no timing assertions, no verdicts; it fails
// (exit 1) on a wrong count, and writes its file to the system's temp folder, never into the checkout.
// Every database it made is dropped, every server it started is stopped.
import os from "node:os";
import path from "node:path";
import { dropAllBenchDatabases } from "./bench-db";
import { FULL_SIZES, SMOKE_SIZES } from "./browse-data";
import { renderTargets, writeReport } from "./report";
import { describeMachine, machine, Results, RESULTS_DIR } from "./results";
import { auditLogScenario } from "./scenario-audit-log";
import { INGEST_SIZES, ingestScenario } from "./scenario-ingest";
import { PRICING_SIZES, pricingScenario } from "./scenario-pricing";
import { metricsOverheadScenario } from "./http-metrics-overhead";
import { LEDGER_VERIFY_SIZES, ledgerVerifyScenario } from "./scenario-ledger-verify";
import { reconcileScenario } from "./scenario-reconcile";
import { READERS } from "@/lib/twilio/reconciliation/reconcile";
import { buildApp, hasBuild, stopAllServers } from "./server";

const SCENARIOS = ["ingest", "audit-log", "report", "export", "pricing", "monitoring", "ledger-verify", "reconcile"] as const;
// Scenarios that need no production server.
const WITHOUT_SERVER: readonly Scenario[] = ["report", "ledger-verify", "reconcile"];
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
    // The ingestion load is 50,000+ events: 54,000 per HTTP configuration, 18,000 (about 10 s) per
    // run. Runs of 6,000 (3 s) spread several points from run to run.
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
  const results = new Results(args.smoke ? "smoke" : "full");
  const started = Date.now();
  console.log(`billing-map benchmark (${args.smoke ? "smoke" : "full"}): ${args.scenarios.join(", ")}`);
  console.log(`  machine: ${describeMachine(machine())}`);
  const runs = args.smoke ? 1 : args.runs;
  const needsServer = !args.smoke && args.scenarios.some((s) => !WITHOUT_SERVER.includes(s));
  if (needsServer && (!args.skipBuild || !hasBuild())) buildApp();

  for (const scenario of args.scenarios) {
    console.log(`\n== ${scenario}`);
    if (scenario === "ingest") await ingestScenario({ smoke: args.smoke, runs, httpEvents: args.httpEvents, results });
    if (scenario === "reconcile") await reconcileScenario({ smoke: args.smoke, records: args.reconcileRecords, results });
    if (scenario === "pricing") await pricingScenario({ smoke: args.smoke, http: !args.smoke, runs, results });
    if (scenario === "monitoring") {
      await metricsOverheadScenario({ smoke: args.smoke, events: args.httpEvents, runs, connections: 16, results });
    }
    if (scenario === "ledger-verify") {
      await ledgerVerifyScenario({ logRows: LEDGER_VERIFY_SIZES[args.smoke ? "smoke" : "full"].logRows, runs, results });
    }
    if (scenario === "audit-log" || scenario === "report" || scenario === "export") {
      // The three share one large generated database; run them together once.
      const wanted = args.scenarios.filter((s) => s === "audit-log" || s === "report" || s === "export");
      if (scenario !== wanted[0]) continue;
      await auditLogScenario({ smoke: args.smoke, runs, results, parts: wanted });
    }
  }
  console.log(`\nDone in ${Math.round((Date.now() - started) / 1000)} s.`);
  const settings = {
    runsPerFigure: runs,
    scenarios: args.scenarios,
    ingest: { ...INGEST_SIZES[args.smoke ? "smoke" : "full"], httpCallbacksPerConfiguration: args.smoke ? 0 : args.httpEvents },
    reading: args.smoke ? SMOKE_SIZES : FULL_SIZES,
    reconcile: { recordsPerRun: args.reconcileRecords ?? (args.smoke ? 4_000 : 1_000_000), pagesAtOnce: READERS, latencyMs: args.smoke ? 5 : 150 },
    pricing: PRICING_SIZES[args.smoke ? "smoke" : "full"],
    monitoring: { callbacksPerServer: args.smoke ? 300 : args.httpEvents, connections: 16 },
    ledgerVerify: LEDGER_VERIFY_SIZES[args.smoke ? "smoke" : "full"],
    ledgerWriter: {
      maxConcurrentBatches: Number(process.env.LEDGER_MAX_CONCURRENT_BATCHES ?? 2),
      maxBatchSize: Number(process.env.LEDGER_MAX_BATCH_SIZE ?? 300),
    },
  };
  if (args.smoke) {
    const file = results.write(path.join(os.tmpdir(), "billing-map-bench"), settings);
    // The report's own path on this run's file (printed as a count, nothing written into the checkout).
    const table = renderTargets([{ name: path.basename(file), run: results.toFile(settings) }]);
    const rows = table.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| What |"));
    const measured = rows.filter((l) => !l.includes("| not measured yet |")).length;
    console.log(`Smoke figures written to ${file}; the report reads them: ${measured} of ${rows.length} targets have figures (no verdicts at smoke sizes).`);
  } else {
    const file = results.write(path.join(process.cwd(), RESULTS_DIR), settings);
    console.log(`Figures written to ${path.relative(process.cwd(), file)}.`);
    console.log(writeReport() ? "BENCHMARKS.md: table regenerated from bench/results/." : "BENCHMARKS.md: table unchanged.");
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
