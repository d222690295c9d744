// The ledger's side of reconciliation: one batch of events read from Twilio's REST API (already turned
// into webhook events by the webhook parsers), counted, corrected and priced in one transaction by
// reconcile_usage_batch (db/functions/80-reconciliation.sql); the run's progress moves in the same
// transaction. Events no mapping covered are then kept in the unmatched inbox exactly as a webhook keeps
// them (once per key: a later webhook or run stores nothing more).
import "server-only";
import { sql } from "drizzle-orm";
import { queryRowsPrepared, type Db } from "@/db/client";
import { BillingError, errorCodeOf, rethrowAsBillingError } from "@/lib/errors";
import { storableJson } from "./storable-json";
import { keepUnmatchedWebhookUsageEvent, routableUsageEventOf, type WebhookUsageEvent } from "./webhook-usage";
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

export interface ReconciliationBatchResult {
  outcomes: ReconciliationOutcome[];
  /** Events the inbox stored now (the rest of the unmatched ones it held already). */
  storedUnmatched: number;
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

async function runBatch(db: Db, runId: number, periodStart: string, json: string, progress: ReconciliationProgress): Promise<BatchRow[]> {
  const progressJson = JSON.stringify({ records_read: progress.notBilled + progress.unreadable, pages_read: progress.pagesRead, not_billed: progress.notBilled, unreadable: progress.unreadable });
  for (let attempt = 1; ; attempt++) {
    try {
      return await queryRowsPrepared<BatchRow>(
        db,
        sql`select ord, outcome, log_id::text as log_id, error_message
            from reconcile_usage_batch(${runId}::bigint, ${periodStart}::date, ${json}::jsonb, ${progressJson}::jsonb)`,
      );
    } catch (err) {
      // A deadlock with a concurrent webhook batch: this one did nothing, and running it again is safe.
      if (attempt < MAX_ATTEMPTS && RETRYABLE_SQLSTATES.has(errorCodeOf(err).code ?? "")) continue;
      rethrowAsBillingError(err);
    }
  }
}

/**
 * Counts, corrects and prices one batch of a run of `periodStart` (YYYY-MM-01). Exactly once per event
 * whatever else counts it meanwhile (webhooks, another batch): the keys are the webhooks' own. Throws
 * when the ledger refused an event (nothing of this batch is then half-written: the batch is one
 * transaction, and its unmatched events are kept only after it committed).
 */
export async function reconcileUsageBatch(
  db: Db,
  input: { runId: number; periodStart: string; events: readonly ReconciliationEvent[]; progress: ReconciliationProgress },
): Promise<ReconciliationBatchResult> {
  const rows = await runBatch(db, input.runId, input.periodStart, batchJson(input.events), input.progress);
  if (rows.length !== input.events.length) throw new Error(`reconcile_usage_batch answered ${rows.length} of ${input.events.length} events`);
  rows.sort((a, b) => a.ord - b.ord);
  const refused = rows.find((r) => r.outcome === "error");
  if (refused) {
    const event = input.events[refused.ord - 1]!.event;
    throw new BillingError("invalid_input", `The ledger refused ${event.providerSid}: ${refused.error_message ?? "no reason given"}`);
  }
  let storedUnmatched = 0;
  for (const row of rows) {
    if (row.outcome !== "unmatched") continue;
    const kept = await keepUnmatchedWebhookUsageEvent(db, input.events[row.ord - 1]!.event);
    if (kept.stored) storedUnmatched++;
  }
  return { outcomes: rows.map((r) => r.outcome), storedUnmatched };
}
