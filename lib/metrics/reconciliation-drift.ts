// The drift of the latest successful reconciliation run of each account, for
// billing_map_reconciliation_drift: reconciliation_runs (lib/billing/reconciliation-runs.ts) keeps each
// run's drift table as a JSON array of { metric, ledger, twilio, difference }. A metric Twilio gave no
// figure for (twilio null) has no series; a running or failed run is skipped.
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { errorCodeOf } from "@/lib/errors";

export interface DriftReading {
  account: string;
  metric: string;
  /** The ledger's figure minus Twilio's for the metric (0: they agree). */
  drift: number;
}

const RUNS_TABLE = "reconciliation_runs";

/** SQL: whether the runs table exists on this database (database-readings.ts asks in its round trip). */
export function reconciliationRecordPresent() {
  return sql`(to_regclass(${`public.${RUNS_TABLE}`}) is not null)`;
}

/** The latest finished run's drift of each account; nothing when the runs table does not exist. */
export async function latestReconciliationDrift(db: Db): Promise<DriftReading[]> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select ${reconciliationRecordPresent()} as present`);
  if (!table?.present) return [];
  try {
    return await queryRows<DriftReading>(
      db,
      sql`select r.account_sid as account, d.metric, (d.ledger - d.twilio)::float8 as drift
          from (select distinct on (account_sid) account_sid, drift from reconciliation_runs
                where status = 'succeeded' and drift is not null order by account_sid, finished_at desc, id desc) r
          cross join lateral jsonb_to_recordset(r.drift) as d(metric text, ledger numeric, twilio numeric)
          where d.twilio is not null`,
    );
  } catch (err) {
    // The table exists with another shape (undefined column / function, datatype mismatch): no series
    // rather than a failed scrape. The metrics route logs the reason once.
    const code = errorCodeOf(err).code;
    if (code === "42703" || code === "42883" || code === "42804" || code === "22023") throw new DriftShapeError(code);
    throw err;
  }
}

export class DriftShapeError extends Error {
  constructor(readonly sqlState: string) {
    super(`${RUNS_TABLE} does not have the shape lib/metrics/reconciliation-drift.ts reads (SQLSTATE ${sqlState})`);
  }
}
