// One measured reconciliation run, in a fresh process as `npm run reconcile` would be: what the
// benchmark's own setup allocated is not in its memory. Argument: JSON {databaseUrl, baseUrl, month,
// accountSid, authToken}. Prints one JSON line: the run's summary, its wall time and the process's peak RSS.
import { openPostgres } from "@/db/client";
import { reconcilePeriod } from "@/lib/twilio/reconciliation/reconcile";

async function main() {
  const args = JSON.parse(process.argv[2] ?? "{}") as { databaseUrl: string; baseUrl: string; month: string; accountSid: string; authToken: string };
  const open = await openPostgres(args.databaseUrl, { max: 10 });
  try {
    const started = performance.now();
    const [summary] = await reconcilePeriod(open.db, {
      period: args.month,
      startedBy: "bench",
      accounts: [{ accountSid: args.accountSid, authToken: args.authToken }],
      baseUrl: args.baseUrl,
    });
    const seconds = (performance.now() - started) / 1000;
    // maxRSS is in kilobytes on Linux.
    console.log(JSON.stringify({ summary, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
  } finally {
    await open.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
