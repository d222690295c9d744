// What the seed recorded of its demo reconciliation run (scripts/db-seed.ts, lib/demo/seed-reconciliation.ts),
// read from reconciliation_runs before the server opens the database: the spec sets the page against it.
// Run by scripts/e2e-server.sh after the seed; prints one JSON object (SeededReconciliationRun).
import { sql } from "drizzle-orm";
import { openDatabase, queryRows } from "../../db/client";
import type { SeededReconciliationRun } from "./reconciliation";

async function main() {
  const open = await openDatabase();
  try {
    const rows = await queryRows<SeededReconciliationRun>(
      open.db,
      sql`select id::int as id, account_sid as "accountSid", period, status, started_by as "startedBy",
            records_read as "recordsRead", records_counted as "recordsCounted", records_corrected as "recordsCorrected",
            records_unmatched as "recordsUnmatched", records_already_counted as "recordsAlreadyCounted",
            records_not_billed as "recordsNotBilled", records_outside_period as "recordsOutsidePeriod", drift, inventory
          from reconciliation_runs where started_by = 'seed' order by id`,
    );
    if (rows.length !== 1) throw new Error(`expected the seed's one reconciliation run, found ${rows.length}`);
    console.log(JSON.stringify(rows[0]));
  } finally {
    await open.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
