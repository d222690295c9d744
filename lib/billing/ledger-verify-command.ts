// npm run ledger:verify [-- --period YYYY-MM]: the lines it prints and its exit status (0: the ledger
// holds; 1: a mismatch, or the command could not run). scripts/ledger-verify.ts opens the database.
import "server-only";
import type { Db } from "@/db/client";
import { parseInput, periodSchema } from "@/lib/validation";
import { verifyLedger, type LedgerMismatch } from "./ledger-verify";

export const LEDGER_VERIFY_USAGE = "Usage: npm run ledger:verify [-- --period YYYY-MM]";

/** The --period option as the period's first day, or null (every period); throws a clear error. */
export function ledgerVerifyPeriodOf(argv: string[]): string | null {
  let period: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--period" || arg.startsWith("--period=")) {
      if (period !== undefined) throw new Error("Option --period is given twice");
      period = arg === "--period" ? (argv[++i] ?? "") : arg.slice("--period=".length);
    } else {
      throw new Error(`Unknown argument "${arg}"`);
    }
  }
  return period === undefined ? null : `${parseInput(periodSchema, period)}-01`;
}

export function describeMismatch(m: LedgerMismatch): string {
  const period = m.periodStart.slice(0, 7);
  return m.check === "counter"
    ? `MISMATCH counter tenant=${m.tenantId} number=${m.phoneNumber ?? m.phoneMappingId} period=${period} column=${m.column} counter=${m.storedValue} log=${m.logValue}`
    : `MISMATCH daily tenant=${m.tenantId} number=(all numbers) period=${period} day=${m.day} column=tenant_usage_daily.${m.column} daily=${m.storedValue} log=${m.logValue}`;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** Runs the check and writes its lines; returns the exit status. */
export async function runLedgerVerify(db: Db, periodStart: string | null, write: (line: string) => void): Promise<number> {
  const started = performance.now();
  const result = await verifyLedger(db, periodStart, (m) => write(describeMismatch(m)));
  const scope = result.periodStart ? `period ${result.periodStart.slice(0, 7)}` : "every period";
  const checked = `${fmt(result.countersChecked)} counters, ${fmt(result.dailyRowsChecked)} daily rows, ${fmt(result.logEntriesChecked)} log entries`;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.mismatches > 0) {
    write(`ledger:verify FAILED (${scope}): ${fmt(result.mismatches)} mismatches in ${checked} (${seconds} s)`);
    return 1;
  }
  write(`ledger:verify OK (${scope}): ${checked}; every counter equals its audit log and every daily row its day's usage (${seconds} s)`);
  return 0;
}
