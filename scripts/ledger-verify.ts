// npm run ledger:verify [-- --period YYYY-MM]
// Proves the counters equal the audit log they are derived from (lib/billing/ledger-verify.ts): prints
// each mismatch (tenant, number, period, column, counter and log values) and exits 1, or prints a
// one-line summary and exits 0. Meant for cron; DATABASE_URL as for the server.
import { openDatabase } from "@/db/client";
import { LEDGER_VERIFY_USAGE, ledgerVerifyPeriodOf, runLedgerVerify } from "@/lib/billing/ledger-verify-command";
import { asBillingError, describeFieldErrorsOf } from "./support/cli-errors";

async function main(): Promise<number> {
  const periodStart = ledgerVerifyPeriodOf(process.argv.slice(2));
  const open = await openDatabase();
  try {
    return await runLedgerVerify(open.db, periodStart, (line) => console.log(line));
  } finally {
    await open.close();
  }
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    const known = asBillingError(err);
    console.error(`ledger:verify could not run: ${known ? `${known.message}${describeFieldErrorsOf(known)}` : err instanceof Error ? err.message : String(err)}`);
    console.error(LEDGER_VERIFY_USAGE);
    process.exit(1);
  },
);
