// The ledger checks itself: every counter against the sum of its audit-log entries, every daily
// rollup against the log's usage of that day (the rule and its column lists: ledger_verify in
// db/functions/90-ledger-verify.sql). The database does the sums and sends back only mismatches,
// which arrive here a page at a time (a cursor on PostgreSQL), so memory stays flat whatever the
// size of the log.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";

export interface LedgerMismatch {
  check: "counter" | "daily";
  tenantId: string;
  /** The number's mapping and E.164 number (a counter check); null for a daily row (per tenant). */
  phoneMappingId: string | null;
  phoneNumber: string | null;
  /** YYYY-MM-DD, the first day of the period. */
  periodStart: string;
  /** The tenant's day of a daily row (YYYY-MM-DD); null for a counter. */
  day: string | null;
  /** tenant_usage_counters or tenant_usage_daily column. */
  column: string;
  /** What the counter (or daily row) holds; 0 when the row is missing. */
  storedValue: number;
  /** What the audit log sums to. */
  logValue: number;
}

export interface LedgerVerification {
  /** YYYY-MM-DD of the period checked, or null: every period. */
  periodStart: string | null;
  countersChecked: number;
  dailyRowsChecked: number;
  logEntriesChecked: number;
  mismatches: number;
}

interface Row {
  check_name: "counter" | "daily" | "summary";
  tenant_id: string | null;
  phone_mapping_id: string | null;
  phone_number: string | null;
  billing_period_start: string | null;
  day: string | null;
  column_name: string | null;
  counter_value: string | null;
  log_value: string | null;
  checked_counters: string | null;
  checked_daily_rows: string | null;
  checked_log_entries: string | null;
}

const SELECT_LIST = `select check_name, tenant_id, phone_mapping_id::text as phone_mapping_id, phone_number,
  billing_period_start::text as billing_period_start, day::text as day, column_name, counter_value::text as counter_value,
  log_value::text as log_value, checked_counters::text as checked_counters, checked_daily_rows::text as checked_daily_rows,
  checked_log_entries::text as checked_log_entries`;


const PAGE_ROWS = 500;

type RawCursorClient = {
  unsafe(query: string, params: unknown[]): { cursor(rows: number): AsyncIterable<Row[]> };
};

/** Pages of the function's rows: a cursor on postgres.js, the whole (mismatch-only) answer on PGlite. */
async function* rowPages(db: Db, periodStart: string | null): AsyncGenerator<Row[]> {
  const client = (db as unknown as { $client?: unknown }).$client;
  if (typeof client === "function") {
    yield* (client as unknown as RawCursorClient).unsafe(`${SELECT_LIST} from ledger_verify($1::date)`, [periodStart]).cursor(PAGE_ROWS);
    return;
  }
  yield await queryRows<Row>(db, sql`${sql.raw(SELECT_LIST)} from ledger_verify(${periodStart}::date)`);
}

/**
 * Checks the ledger (one period: `periodStart` YYYY-MM-DD, the month's first day; null: every period),
 * calling `onMismatch` for each mismatch in the order tenant, period, number, day, column.
 */
export async function verifyLedger(db: Db, periodStart: string | null, onMismatch: (m: LedgerMismatch) => void): Promise<LedgerVerification> {
  if (periodStart !== null && !/^\d{4}-\d{2}-01$/.test(periodStart)) throw new Error(`not a period start: ${periodStart}`);
  let summary: LedgerVerification | undefined;
  let mismatches = 0;
  for await (const page of rowPages(db, periodStart)) {
    for (const row of page) {
      if (row.check_name === "summary") {
        summary = {
          periodStart,
          countersChecked: Number(row.checked_counters),
          dailyRowsChecked: Number(row.checked_daily_rows),
          logEntriesChecked: Number(row.checked_log_entries),
          mismatches: 0,
        };
        continue;
      }
      mismatches++;
      onMismatch({
        check: row.check_name,
        tenantId: row.tenant_id!,
        phoneMappingId: row.phone_mapping_id,
        phoneNumber: row.phone_number,
        periodStart: row.billing_period_start!,
        day: row.day,
        column: row.column_name!,
        storedValue: Number(row.counter_value),
        logValue: Number(row.log_value),
      });
    }
  }
  if (!summary) throw new Error("ledger_verify returned no summary row");
  return { ...summary, mismatches };
}
