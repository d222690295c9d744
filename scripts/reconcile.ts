// npm run reconcile -- --period YYYY-MM [--account AC…] [--json]
// Reconciles one billing period with Twilio's REST API for every configured account (TWILIO_ACCOUNTS,
// or TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN), or the one named: counts what the webhooks missed,
// corrects what they got wrong, records the drift against Twilio's Usage Records and the number
// inventory. Prints progress while it runs; with --json, a JSON summary as its last line. Exit status:
// 0 when every run succeeded, 1 when one failed (or could not start), 2 for bad arguments.
// On the embedded database (no DATABASE_URL) the server must be stopped first: PGlite is one process's.
// Runs with a 128 MB old space (package.json): a run holds ~40 MB live, page by page, whatever its size.
import os from "node:os";
import { openDatabase } from "@/db/client";
import { reconcilePeriod, type RunProgress, type RunSummary } from "@/lib/twilio/reconciliation/reconcile";
import { asBillingError } from "./support/cli-errors";
import { parseCliOptions } from "./support/cli-args";
import { progressLine, summaryLines } from "./support/reconciliation-text";

const USAGE = "Usage: npm run reconcile -- --period YYYY-MM [--account AC…] [--json]";
const PROGRESS_EVERY_MS = 2000;
/** Twilio keeps calls and messages in its REST API for about 13 months. */
const RETENTION_MONTHS = 13;

class UsageError extends Error {}

function parseArgs(argv: string[]): { period: string; account?: string; json: boolean } {
  const json = argv.includes("--json");
  let options: Record<string, string>;
  try {
    options = parseCliOptions(
      argv.filter((a) => a !== "--json"),
      ["period", "account"],
    );
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (!options.period) throw new UsageError("--period YYYY-MM is required");
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.period)) throw new UsageError(`--period must be a month written YYYY-MM, got "${options.period}"`);
  if (options.account !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(options.account)) {
    throw new UsageError(`--account must be an AccountSid (AC followed by 32 hexadecimal characters), got "${options.account}"`);
  }
  return { period: options.period, account: options.account, json };
}

function monthsAgo(period: string): number {
  const [y, m] = period.split("-").map(Number) as [number, number];
  const now = new Date();
  return (now.getUTCFullYear() - y) * 12 + (now.getUTCMonth() + 1 - m);
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    console.error(USAGE);
    return 2;
  }
  if (monthsAgo(args.period) > RETENTION_MONTHS) {
    console.log(`Note: Twilio keeps calls and messages for about ${RETENTION_MONTHS} months; ${args.period} may be read only in part.`);
  }
  const lastPrinted = new Map<number, number>();
  const onProgress = (p: RunProgress) => {
    const now = Date.now();
    if (now - (lastPrinted.get(p.runId) ?? 0) < PROGRESS_EVERY_MS) return;
    lastPrinted.set(p.runId, now);
    console.log(progressLine(p));
  };

  let summaries: RunSummary[];
  const open = await openDatabase();
  try {
    console.log(`Reconciling ${args.period}${args.account ? ` for ${args.account}` : " for every configured account"}...`);
    summaries = await reconcilePeriod(open.db, {
      period: args.period,
      accountSid: args.account,
      startedBy: `cli:${os.userInfo().username}`,
      onProgress,
    });
  } finally {
    await open.close();
  }
  for (const summary of summaries) for (const line of summaryLines(summary)) console.log(line);
  const ok = summaries.every((s) => s.status === "succeeded");
  if (args.json) console.log(JSON.stringify({ success: ok, period: args.period, runs: summaries }));
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = asBillingError(err);
    const message = known ? known.message : err instanceof Error ? err.message : String(err);
    console.error(message);
    if (process.argv.includes("--json")) console.log(JSON.stringify({ success: false, error: message }));
    process.exit(1);
  },
);
