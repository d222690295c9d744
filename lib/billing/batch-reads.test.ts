// The batch functions read the growing tables (the log, its counters, the unmatched inbox) by key,
// through their indexes, whatever plan PL/pgSQL has cached (billing_logged_usage, billing_webhook_routes).
// Left to the planner, a plan cached while those tables were small answers repeats with a hash join
// over a sequential scan of the whole log: correct, but a cost per batch that grows with the log. PostgreSQL counts every sequential scan a
// transaction starts (pg_stat_xact_user_tables), so the test runs batches with repeats in one
// transaction, past the point where PL/pgSQL switches to its cached generic plans, and reads the count.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/db/client";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { mapNumberToTenant } from "./mapping";
import { keepUnmatchedCall } from "@/lib/testing/unmatched";

const NUMBER = "+14155550142";
const GROWING_TABLES = ["tenant_usage_logs", "tenant_usage_counters", "unmatched_usage_events"];

// After the mapping below was made (it covers events from its provisioning on).
const at = new Date(Date.now() + 60_000).toISOString();

/** A webhook event as log_webhook_usage_batch reads it: a completed call of `seconds` to NUMBER. */
function call(n: number, seconds = 61) {
  const callSid = sidOf("CA", n);
  return { kind: "voice", duration_seconds: seconds, phone_number: NUMBER, event_at: at, unmatched_key: `voice:${callSid}`, metadata: { call_sid: callSid, started_at: at } };
}

async function runBatch(db: Db, events: ReturnType<typeof call>[]) {
  return queryRows<{ ord: number; counted: boolean | null; log_id: string | null; kept_unmatched: boolean }>(
    db,
    sql`select ord, counted, log_id::text as log_id, kept_unmatched from log_webhook_usage_batch(${JSON.stringify(events)}::jsonb) order by ord`,
  );
}

/**
 * Scans started on the growing tables as this session counts them (the transaction's own, plus, on
 * PGlite, which reports its counts only now and then, earlier ones): compare two readings.
 */
async function scansOf(db: Db): Promise<Record<string, { seq_scan: number; idx_scan: number }>> {
  const rows = await queryRows<{ relname: string; seq_scan: number; idx_scan: number }>(
    db,
    sql`select relname::text as relname, seq_scan::int as seq_scan, coalesce(idx_scan, 0)::int as idx_scan
        from pg_stat_xact_user_tables where relname in (${sql.join(GROWING_TABLES.map((t) => sql`${t}`), sql`, `)})`,
  );
  return Object.fromEntries(rows.map(({ relname, ...counts }) => [relname, counts]));
}

describe("batch reads by key", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "alpha");
    await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 0x42), phoneNumber: NUMBER }, { actor: "t" });
    // A log with entries from before, and an inbox that holds one event.
    await runBatch(db, Array.from({ length: 200 }, (_, i) => call(i)));
    await keepUnmatchedCall(db, { phoneNumber: NUMBER, callSid: sidOf("CA", 9999) });
  });

  it("answers repeats, earlier and in the same batch, without a sequential scan of the log, the counters or the inbox", async () => {
    const { db } = database();
    const { answers, before, after } = await db.transaction(async (tx) => {
      const before = await scansOf(tx);
      const answers = [];
      // Ten batches (PL/pgSQL plans each statement afresh five times, then may keep a generic plan).
      for (let b = 0; b < 10; b++) {
        const fresh = call(1000 + b);
        answers.push(await runBatch(tx, [fresh, call(b), fresh, call(9999)]));
      }
      return { answers, before, after: await scansOf(tx) };
    });

    // Each batch: its new call counted once, the repeat inside the batch and the call from before not
    // counted (answered with the entries that counted them), the inbox's call kept there.
    for (const [fresh, earlier, repeat, kept] of answers) {
      expect([fresh!.counted, earlier!.counted, repeat!.counted]).toEqual([true, false, false]);
      expect(repeat!.log_id).toBe(fresh!.log_id);
      expect(earlier!.log_id).not.toBeNull();
      expect(kept!.kept_unmatched).toBe(true);
    }
    const scans = (table: string, kind: "seq_scan" | "idx_scan") => (after[table]?.[kind] ?? 0) - (before[table]?.[kind] ?? 0);
    for (const table of GROWING_TABLES) expect({ table, seqScans: scans(table, "seq_scan") }).toEqual({ table, seqScans: 0 });
    expect(scans("tenant_usage_logs", "idx_scan")).toBeGreaterThan(0);
    expect(scans("unmatched_usage_events", "idx_scan")).toBeGreaterThan(0);
  });
});
