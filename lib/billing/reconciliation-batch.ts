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
import { BillingError, errorCodeOf, isUniqueViolation, rethrowAsBillingError } from "@/lib/errors";
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

/**
 * What the ledger is asked first of every record read: the key and billable quantity its webhook's
 * event would carry, and Twilio's price. A record the ledger holds under that key, with that quantity,
 * in this period, is counted already and is not read further; every other one is read by the webhook
 * parsers (`read`), whose event decides what it is (so a probe that guessed wrong costs a parse, never
 * a count).
 */
export interface ReconciliationProbe {
  key: string;
  value: number;
  price: string | null;
  priceUnit: string | null;
}

/** The records the probes did not settle, read: their events, and those that count nothing. */
export interface ReconciliationReading {
  events: ReconciliationEvent[];
  notBilled: number;
  unreadable: number;
  /** Keeps the unreadable ones, in the batch's transaction. */
  keepUnreadable?: (tx: Db) => Promise<void>;
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

interface WriteInput<R extends ReconciliationReading> {
  runId: number;
  periodStart: string;
  pagesRead: number;
  probes: readonly ReconciliationProbe[];
  read(positions: number[]): R;
}

/** What a batch did: one outcome per record that reached the ledger, and the reading of the rest. */
export interface ReconciledBatch<R extends ReconciliationReading> {
  outcomes: ReconciliationOutcome[];
  reading: R;
}

async function writeBatch<R extends ReconciliationReading>(tx: Db, input: WriteInput<R>): Promise<ReconciledBatch<R>> {
  const { probes } = input;
  // Most records of a run are in the ledger already: asked by key first (their prices recorded in the
  // same statement); it answers only the others.
  const states = await queryRows<{ i: number; state: "outside_period" | "correct" | null }>(
    tx,
    sql`select i, state from reconciliation_page_state(${input.runId}::bigint, ${input.periodStart}::date,
          ${arrayLiteral(probes.map((p) => p.key))}::text[], ${arrayLiteral(probes.map((p) => p.value))}::bigint[],
          ${arrayLiteral(probes.map((p) => p.price))}::text[], ${arrayLiteral(probes.map((p) => p.priceUnit))}::text[])`,
  );
  const settled: ReconciliationOutcome[] = [];
  const unsettled: number[] = [];
  for (const { i, state } of states) {
    if (state === "outside_period") settled.push(state);
    else unsettled.push(i - 1);
  }
  const outside = settled.length;
  const already = probes.length - outside - unsettled.length;
  for (let n = 0; n < already; n++) settled.push("already_counted");
  const reading = input.read(unsettled);
  const { events } = reading;
  const keys = events.map((e) => usageIdempotencyKey(e.event));
  // The events read are sent whole and told apart again by their own keys (a probe's answer holds for
  // the probe's key).
  const outcomes: ReconciliationOutcome[] = new Array<ReconciliationOutcome>(events.length);
  const progressJson = JSON.stringify({
    records_read: reading.notBilled + reading.unreadable + already + outside,
    pages_read: input.pagesRead,
    not_billed: reading.notBilled,
    unreadable: reading.unreadable,
    already_counted: already,
    outside_period: outside,
  });
  const json = storableJson(events.map((e) => routableJson(routableUsageEventOf(e.event))));
  const rows = await queryRows<BatchRow>(
    tx,
    sql`select ord, outcome, log_id::text as log_id, error_message
        from reconcile_usage_batch(${input.runId}::bigint, ${input.periodStart}::date, ${json}::jsonb, ${progressJson}::jsonb)`,
  );
  if (rows.length !== events.length) throw new Error(`reconcile_usage_batch answered ${rows.length} of ${events.length} events`);
  for (const row of rows) {
    const i = row.ord - 1;
    if (row.outcome === "error") {
      throw new BillingError("invalid_input", `The ledger refused ${events[i]!.event.providerSid}: ${row.error_message ?? "no reason given"}`);
    }
    outcomes[i] = row.outcome;
  }
  // Kept as a webhook keeps them; a waiting call leg whose relative this batch counted is counted now.
  let countedOnKeep = 0;
  let alreadyOnKeep = 0;
  for (let i = 0; i < events.length; i++) {
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
  // Twilio's price of every event of the period sent whole, under its key (the probes' is recorded).
  const priced = outcomes.flatMap((o, i) => (o === "outside_period" ? [] : [i]));
  if (priced.length > 0) {
    await tx.execute(sql`select reconciliation_record_costs(${input.runId}::bigint, ${arrayLiteral(priced.map((i) => keys[i]!))}::text[],
        ${arrayLiteral(priced.map((i) => events[i]!.price))}::text[], ${arrayLiteral(priced.map((i) => events[i]!.priceUnit))}::text[])`);
  }
  await reading.keepUnreadable?.(tx);
  return { outcomes: [...settled, ...outcomes], reading };
}

/**
 * Counts, corrects, prices and keeps one batch (a page) of a run of `periodStart` (YYYY-MM-01) in one
 * transaction: the ledger is asked of every probe first, then `read` turns the records it does not
 * settle (by position) into events, inside the transaction (called again if the batch is retried).
 * Exactly once per event whatever else counts it meanwhile (webhooks, another batch): the keys are the
 * webhooks' own.
 */
export async function reconcileUsageBatch<R extends ReconciliationReading>(
  db: Db,
  input: { runId: number; periodStart: string; pagesRead: number; probes: readonly ReconciliationProbe[]; read(positions: number[]): R },
): Promise<ReconciledBatch<R>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => writeBatch(tx as unknown as Db, input));
    } catch (err) {
      // A deadlock with a concurrent webhook batch, or a price another transaction inserted first
      // (prices are plain inserts): this one did nothing, and running it again is safe.
      const retryable = RETRYABLE_SQLSTATES.has(errorCodeOf(err).code ?? "") || isUniqueViolation(err, "twilio_usage_costs_pkey");
      if (attempt < MAX_ATTEMPTS && retryable) continue;
      if (err instanceof BillingError) throw err;
      rethrowAsBillingError(err);
    }
  }
}
