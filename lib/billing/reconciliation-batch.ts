// The ledger's side of reconciliation: one batch of events read from Twilio's REST API (already turned
// into webhook events by the webhook parsers), written in ONE transaction: counted, corrected and priced
// by reconcile_usage_batch (db/functions/80-reconciliation.sql), the run's progress moved, and the events
// no mapping took kept in the unmatched inbox exactly as a webhook keeps them (keep_unmatched_usage_event:
// a call leg whose relative was counted meanwhile is counted with it instead). A failed batch leaves
// nothing of itself behind; one that committed is exactly-once (a later webhook or run counts nothing more).
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { BillingError, errorCodeOf, rethrowAsBillingError } from "@/lib/errors";
import { storableJson } from "./storable-json";
import { recordUnmatchedUsageEvent } from "./unmatched";
import { routableUsageEventOf, unmatchedInputOf, type WebhookUsageEvent } from "./webhook-usage";
import { routableJson } from "./webhook-writer";

export interface ReconciliationEvent {
  event: WebhookUsageEvent;
  /** Twilio's price (decimal text, negative for a charge) and currency, when it has one yet. */
  price: string | null;
  priceUnit: string | null;
}

export type ReconciliationOutcome =
  | "counted"
  | "already_counted"
  | "corrected"
  | "unmatched"
  | "kept_unmatched"
  | "outside_period"
  | "error";

/** What the caller read besides the batch's events: its pages, and records that count nothing. */
export interface ReconciliationProgress {
  pagesRead: number;
  notBilled: number;
  unreadable: number;
}

interface BatchRow {
  ord: number;
  outcome: ReconciliationOutcome;
  log_id: string | null;
  error_message: string | null;
}

const RETRYABLE_SQLSTATES = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 3;

function batchJson(events: readonly ReconciliationEvent[]): string {
  return storableJson(
    events.map((e) => Object.assign(routableJson(routableUsageEventOf(e.event)), { twilio_price: e.price, twilio_price_unit: e.priceUnit })),
  );
}

async function writeBatch(
  tx: Db,
  input: { runId: number; periodStart: string; events: readonly ReconciliationEvent[]; json: string; progress: ReconciliationProgress; keepUnreadable?: (tx: Db) => Promise<void> },
): Promise<ReconciliationOutcome[]> {
  const { progress } = input;
  const progressJson = JSON.stringify({ records_read: progress.notBilled + progress.unreadable, pages_read: progress.pagesRead, not_billed: progress.notBilled, unreadable: progress.unreadable });
  const rows = await queryRows<BatchRow>(
    tx,
    sql`select ord, outcome, log_id::text as log_id, error_message
        from reconcile_usage_batch(${input.runId}::bigint, ${input.periodStart}::date, ${input.json}::jsonb, ${progressJson}::jsonb)`,
  );
  if (rows.length !== input.events.length) throw new Error(`reconcile_usage_batch answered ${rows.length} of ${input.events.length} events`);
  rows.sort((a, b) => a.ord - b.ord);
  const refused = rows.find((r) => r.outcome === "error");
  if (refused) {
    const event = input.events[refused.ord - 1]!.event;
    throw new BillingError("invalid_input", `The ledger refused ${event.providerSid}: ${refused.error_message ?? "no reason given"}`);
  }
  const outcomes = rows.map((r) => r.outcome);
  // Kept as a webhook keeps them; a waiting call leg whose relative this batch counted is counted now.
  let countedOnKeep = 0;
  let alreadyOnKeep = 0;
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome !== "unmatched") continue;
    const kept = await recordUnmatchedUsageEvent(tx, unmatchedInputOf(input.events[i]!.event));
    if (kept.kept) continue;
    outcomes[i] = kept.counted ? "counted" : "already_counted";
    if (kept.counted) countedOnKeep++;
    else alreadyOnKeep++;
  }
  if (countedOnKeep + alreadyOnKeep > 0) {
    await tx.execute(sql`update reconciliation_runs set records_counted = records_counted + ${countedOnKeep},
        records_already_counted = records_already_counted + ${alreadyOnKeep},
        records_unmatched = records_unmatched - ${countedOnKeep + alreadyOnKeep}
      where id = ${input.runId}`);
  }
  await input.keepUnreadable?.(tx);
  return outcomes;
}

/**
 * Counts, corrects, prices and keeps one batch of a run of `periodStart` (YYYY-MM-01) in one transaction;
 * `keepUnreadable` keeps the batch's unreadable records in that same transaction. Exactly once per event
 * whatever else counts it meanwhile (webhooks, another batch): the keys are the webhooks' own.
 */
export async function reconcileUsageBatch(
  db: Db,
  input: { runId: number; periodStart: string; events: readonly ReconciliationEvent[]; progress: ReconciliationProgress; keepUnreadable?: (tx: Db) => Promise<void> },
): Promise<ReconciliationOutcome[]> {
  const json = batchJson(input.events);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => writeBatch(tx as unknown as Db, { ...input, json }));
    } catch (err) {
      // A deadlock with a concurrent webhook batch: this one did nothing, and running it again is safe.
      if (attempt < MAX_ATTEMPTS && RETRYABLE_SQLSTATES.has(errorCodeOf(err).code ?? "")) continue;
      if (err instanceof BillingError) throw err;
      rethrowAsBillingError(err);
    }
  }
}
