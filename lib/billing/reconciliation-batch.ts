// The ledger's side of reconciliation: one batch of events read from Twilio's REST API (already turned
// into webhook events by the webhook parsers), written in ONE transaction (db/functions/82-reconciliation.sql):
// the events the ledger holds are told apart by key, their prices recorded in the same statement
// (reconciliation_page_state), the rest counted or corrected by reconcile_usage_batch, which moves the
// run's progress too; the events no mapping took are kept in the unmatched inbox exactly as a webhook
// keeps them (keep_unmatched_usage_event: a call leg whose relative was counted meanwhile is counted
// with it instead), and the prices of those sent whole are recorded (reconciliation_record_costs). A failed batch leaves nothing of itself behind; one that committed is
// exactly-once (a later webhook or run counts nothing more).
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { BillingError, errorCodeOf, rethrowAsBillingError } from "@/lib/errors";
import { storableJson } from "./storable-json";
import { recordUnmatchedUsageEvent, usageIdempotencyKey } from "./unmatched";
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

/**
 * A PostgreSQL array literal of values that need no quoting: idempotency keys ('voice:CA…'), whole
 * numbers, Twilio's decimal prices and currency codes (all checked where they are read); null as NULL.
 */
function arrayLiteral(values: readonly (string | number | null)[]): string {
  return `{${values.map((v) => (v === null ? "NULL" : String(v))).join(",")}}`;
}

/** The quantity a record is billed by, as the ledger keeps it: a call's seconds, a message's segments. */
function billableValueOf(event: WebhookUsageEvent): number {
  return event.usageType === "voice" ? (event.voiceSeconds ?? 0) : (event.smsSegments ?? 1);
}

interface WriteInput {
  runId: number;
  periodStart: string;
  events: readonly ReconciliationEvent[];
  keys: readonly string[];
  progress: ReconciliationProgress;
  keepUnreadable?: (tx: Db) => Promise<void>;
}

async function writeBatch(tx: Db, input: WriteInput): Promise<ReconciliationOutcome[]> {
  const { events, keys, progress } = input;
  // Most records of a run are in the ledger already: asked by key first (their prices recorded in the
  // same statement), only the rest travel whole.
  const states = await queryRows<{ i: number; state: "outside_period" | "correct" | null }>(
    tx,
    sql`select i, state from reconciliation_page_state(${input.runId}::bigint, ${input.periodStart}::date, ${arrayLiteral(keys)}::text[],
          ${arrayLiteral(events.map((e) => billableValueOf(e.event)))}::bigint[], ${arrayLiteral(events.map((e) => e.price))}::text[],
          ${arrayLiteral(events.map((e) => e.priceUnit))}::text[])`,
  );
  // What it does not answer is counted already.
  const outcomes: ReconciliationOutcome[] = new Array<ReconciliationOutcome>(events.length).fill("already_counted");
  const pending: number[] = [];
  let outside = 0;
  for (const { i, state } of states) {
    if (state === "outside_period") {
      outcomes[i - 1] = state;
      outside++;
    } else pending.push(i - 1);
  }
  const already = events.length - outside - pending.length;
  const progressJson = JSON.stringify({
    records_read: progress.notBilled + progress.unreadable + already + outside,
    pages_read: progress.pagesRead,
    not_billed: progress.notBilled,
    unreadable: progress.unreadable,
    already_counted: already,
    outside_period: outside,
  });
  const json = storableJson(pending.map((i) => routableJson(routableUsageEventOf(events[i]!.event))));
  const rows = await queryRows<BatchRow>(
    tx,
    sql`select ord, outcome, log_id::text as log_id, error_message
        from reconcile_usage_batch(${input.runId}::bigint, ${input.periodStart}::date, ${json}::jsonb, ${progressJson}::jsonb)`,
  );
  if (rows.length !== pending.length) throw new Error(`reconcile_usage_batch answered ${rows.length} of ${pending.length} events`);
  for (const row of rows) {
    const i = pending[row.ord - 1]!;
    if (row.outcome === "error") {
      throw new BillingError("invalid_input", `The ledger refused ${events[i]!.event.providerSid}: ${row.error_message ?? "no reason given"}`);
    }
    outcomes[i] = row.outcome;
  }
  // Kept as a webhook keeps them; a waiting call leg whose relative this batch counted is counted now.
  let countedOnKeep = 0;
  let alreadyOnKeep = 0;
  for (const i of pending) {
    if (outcomes[i] !== "unmatched") continue;
    const kept = await recordUnmatchedUsageEvent(tx, unmatchedInputOf(events[i]!.event));
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
  // Twilio's price of every event of the period sent whole, under its key (the rest's is recorded).
  const priced = pending.filter((i) => outcomes[i] !== "outside_period");
  if (priced.length > 0) {
    await tx.execute(sql`select reconciliation_record_costs(${input.runId}::bigint, ${arrayLiteral(priced.map((i) => keys[i]!))}::text[],
        ${arrayLiteral(priced.map((i) => events[i]!.price))}::text[], ${arrayLiteral(priced.map((i) => events[i]!.priceUnit))}::text[])`);
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
  const keys = input.events.map((e) => usageIdempotencyKey(e.event));
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => writeBatch(tx as unknown as Db, { ...input, keys }));
    } catch (err) {
      // A deadlock with a concurrent webhook batch: this one did nothing, and running it again is safe.
      if (attempt < MAX_ATTEMPTS && RETRYABLE_SQLSTATES.has(errorCodeOf(err).code ?? "")) continue;
      if (err instanceof BillingError) throw err;
      rethrowAsBillingError(err);
    }
  }
}
