// What the metrics read from the database at scrape time: the open unmatched events, the app's
// connections on the database by state, and the latest reconciliation drift: cheap statements (an
// index range count, a scan of pg_stat_activity) in one round trip, before the exposition.
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { logger } from "@/lib/logging/logger";
import type { BillingMapMetrics } from "./registry";
import { DriftShapeError, latestReconciliationDrift, reconciliationRecordPresent } from "./reconciliation-drift";

/** A reading that takes longer than this leaves its gauges empty: a scrape must not hang on the database. */
export const DATABASE_READING_TIMEOUT_MS = 2_000;

// The application_name db/client.ts gives every pool connection.
const APPLICATION_NAME = "billing-map";
const CONNECTION_STATES = ["active", "idle", "idle in transaction", "idle in transaction (aborted)"] as const;

let driftShapeLogged = false;

/** The pool size of a postgres.js database (its client exposes its options); undefined for PGlite. */
function postgresPoolMax(db: Db): number | undefined {
  const client = (db as unknown as { $client?: { options?: { max?: number } } }).$client;
  return typeof client === "function" ? (client as { options?: { max?: number } }).options?.max ?? 0 : undefined;
}

// One round trip: the open unmatched events, the app's connections by state (PostgreSQL only), and
// whether the reconciliation record exists; its drift is a second statement only when it does.
async function readAll(db: Db, kind: "postgres" | "pglite") {
  const connections =
    kind === "postgres"
      ? sql`(select coalesce(json_agg(json_build_object('state', x.state, 'n', x.n)), '[]'::json) from (
            select coalesce(state, 'unknown') as state, count(*)::int as n from pg_stat_activity
            where datname = current_database() and application_name = ${APPLICATION_NAME} and pid <> pg_backend_pid()
            group by 1) x)`
      : sql`'[]'::json`;
  const [row] = await queryRows<{ unmatched: number; connections: Array<{ state: string; n: number }> | string; runs_present: boolean }>(
    db,
    sql`select (select count(*)::int from unmatched_usage_events where status = 'open') as unmatched,
          ${connections} as connections, ${reconciliationRecordPresent()} as runs_present`,
  );
  let drift: Awaited<ReturnType<typeof latestReconciliationDrift>> = [];
  if (row?.runs_present) {
    try {
      drift = await latestReconciliationDrift(db);
    } catch (err) {
      if (!(err instanceof DriftShapeError)) throw err;
      if (!driftShapeLogged) logger.warn({ err: { message: err.message } }, "reconciliation drift not exported");
      driftShapeLogged = true;
    }
  }
  const list = typeof row?.connections === "string" ? (JSON.parse(row.connections) as Array<{ state: string; n: number }>) : (row?.connections ?? []);
  return { unmatchedOpen: row?.unmatched ?? 0, connections: list, drift };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Sets the database gauges from one reading. A database that does not answer sets billing_map_db_up 0
 * and leaves the gauges at their last reading (a drop to 0 would read as an inbox emptied).
 */
export async function refreshDatabaseGauges(metrics: BillingMapMetrics, db: Db | undefined): Promise<void> {
  if (!db) {
    metrics.databaseUp.set(0);
    return;
  }
  const poolMax = postgresPoolMax(db);
  const kind = poolMax === undefined ? "pglite" : "postgres";
  metrics.databasePoolMax.set(poolMax ?? 1);
  try {
    const reading = await withTimeout(readAll(db, kind), DATABASE_READING_TIMEOUT_MS);
    metrics.unmatchedOpen.set(reading.unmatchedOpen);
    metrics.reconciliationDrift.reset();
    metrics.databaseConnections.reset();
    if (kind === "postgres") {
      for (const state of CONNECTION_STATES) metrics.databaseConnections.set({ state }, 0);
      for (const { state, n } of reading.connections) metrics.databaseConnections.set({ state }, n);
    }
    for (const { account, metric, drift } of reading.drift) metrics.reconciliationDrift.set({ account, metric }, drift);
    metrics.databaseUp.set(1);
  } catch (err) {
    metrics.databaseUp.set(0);
    logger.error({ err: { message: err instanceof Error ? err.message : String(err) } }, "metrics: the database readings failed");
  }
}
