// Webhook usage events routed and counted in one statement. A webhook knows the tenant's number and the
// event's time, not the tenant: log_webhook_usage_batch (db/functions/60-webhook-routing.sql) reads the
// mapping that held the number at that time (a call leg without one: its relative's) and whether the
// unmatched inbox already keeps the event inside the batch's own transaction, and counts the routed
// events through log_usage_batch. One statement and one round trip per batch: a separate lookup before
// the write would cost a second of each, most of what the webhook adds to the framework's own cost per
// request over HTTP.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRowsPrepared, type Db } from "@/db/client";
import type { SmsDirection } from "@/db/schema";
import { asBillingError } from "@/lib/errors";
import { BatchWriter, writerOptionsFor } from "./batch-writer";
import { isTransaction, resultOf, type BatchRow, type UsageLogResult } from "./ledger-writer";
import { storableJson } from "./storable-json";

/** A usage event as a webhook knows it: its number and time decide the tenant and the mapping. */
export type RoutableUsageEvent = (
  | { kind: "voice"; durationSeconds: number }
  | { kind: "sms"; direction: SmsDirection }
) & {
  /** The tenant's number (E.164); null for a call leg whose tenant side is not a number. */
  phoneNumber: string | null;
  /** The time that decides the owner (the metadata carries the same time for the period). */
  eventAt: Date;
  /** The key the unmatched inbox would hold the event under (the log's idempotency key). */
  idempotencyKey: string;
  /** As log_usage_batch reads it (call_sid / message_sid, started_at / timestamp, ...). */
  metadata: Record<string, unknown>;
};

export type RoutedWriteResult =
  /** No mapping held the number at the event's time, or the inbox already keeps the event. */
  | { routed: false; keptUnmatched: boolean }
  | { routed: true; tenantId: string; phoneMappingId: string; result: UsageLogResult };

interface WebhookBatchRow extends BatchRow {
  tenant_id: string | null;
  phone_mapping_id: string | null;
  kept_unmatched: boolean;
}

// Literals rather than a spread of shared fields: cheaper per event (see twilioMetadata).
export function routableJson(event: RoutableUsageEvent): Record<string, unknown> {
  const eventAt = event.eventAt.toISOString();
  return event.kind === "voice"
    ? { kind: "voice", metadata: event.metadata, phone_number: event.phoneNumber, event_at: eventAt, unmatched_key: event.idempotencyKey, duration_seconds: event.durationSeconds }
    : { kind: "sms", metadata: event.metadata, phone_number: event.phoneNumber, event_at: eventAt, unmatched_key: event.idempotencyKey, direction: event.direction };
}

async function runWebhookBatch(db: Db, events: RoutableUsageEvent[]): Promise<WebhookBatchRow[]> {
  const rows = await queryRowsPrepared<WebhookBatchRow>(
    db,
    sql`select ord, tenant_id, phone_mapping_id::text as phone_mapping_id, kept_unmatched, counted, log_id::text as log_id,
          counter_id::text as counter_id, billing_period_start::text as billing_period_start,
          billing_period_end::text as billing_period_end, error_code, error_message
        from log_webhook_usage_batch(${storableJson(events.map(routableJson))}::jsonb)`,
  );
  if (rows.length !== events.length) throw new Error(`log_webhook_usage_batch answered ${rows.length} of ${events.length} events`);
  return rows.sort((a, b) => a.ord - b.ord);
}

function routedResultOf(row: WebhookBatchRow): RoutedWriteResult {
  if (!row.tenant_id || !row.phone_mapping_id || row.kept_unmatched) return { routed: false, keptUnmatched: row.kept_unmatched };
  return { routed: true, tenantId: row.tenant_id, phoneMappingId: row.phone_mapping_id, result: resultOf(row) };
}

/**
 * One queue: a batch leaves as soon as none is in flight, and another one only when 16 events wait
 * behind it, or, within one turn of the event loop, as soon as 6 events wait and fewer than 3 batches
 * are in flight. Measured over HTTP, with servers side by side on one machine:
 * - two lanes by number kept two small batches in flight at 16 connections and paid PostgreSQL's
 *   fixed cost per batch (~0.75 ms) twice as often; one queue fills each batch, and the backlog rule
 *   still puts a second batch to work under heavy load;
 * - a burst of requests (answers of one batch go out together, so their clients' next requests
 *   arrive together) is parsed in a single turn, during which no database answer can be read: with
 *   batches leaving only at the end of the turn, the burst's first events waited for its last and
 *   then for their whole batch while the server had nothing to parse. With 6 at a time leaving during
 *   the burst, 16 connections reach 86-89 % of the empty route against 74-80 % without (64
 *   connections: 86-88 % either way). Fewer than 6 at a time cost more in fixed batch costs than
 *   they save (2 at a time: 66 %).
 * Batches in flight may hold events of the same number: they take their row locks in the same sorted
 * order, so a later one waits, never deadlocks, and the log's unique key keeps each event once.
 */
const WEBHOOK_BACKLOG_FOR_EXTRA_BATCH = 16;
const WEBHOOK_EAGER_BATCH = 6;
const WEBHOOK_BATCHES_IN_FLIGHT = 3;

export class WebhookLedgerWriter extends BatchWriter<RoutableUsageEvent, WebhookBatchRow, RoutedWriteResult> {
  protected runBatchStatement(events: RoutableUsageEvent[]): Promise<WebhookBatchRow[]> {
    return runWebhookBatch(this.db, events);
  }

  protected resultOf(row: WebhookBatchRow): RoutedWriteResult {
    return routedResultOf(row);
  }

  protected laneKey(): string {
    return "";
  }

  protected metricsName(): "webhook" {
    return "webhook";
  }
}

const writers = new WeakMap<Db, WebhookLedgerWriter>();

async function writeInTransaction(db: Db, event: RoutableUsageEvent): Promise<RoutedWriteResult> {
  try {
    return routedResultOf((await runWebhookBatch(db, [event]))[0]!);
  } catch (err) {
    throw asBillingError(err) ?? err;
  }
}

/**
 * Routes and counts one webhook event through the process's batching writer; resolves after the
 * transaction holding it has committed. Inside a caller's transaction it runs right there.
 */
export function writeRoutableUsageEvent(db: Db, event: RoutableUsageEvent): Promise<RoutedWriteResult> {
  if (isTransaction(db)) return writeInTransaction(db, event);
  let writer = writers.get(db);
  if (!writer) {
    const options = writerOptionsFor(db);
    writer = new WebhookLedgerWriter(db, {
      ...options,
      maxConcurrentBatches: 1,
      // PGlite runs one statement at a time: one batch in flight there.
      batchesPerLane: options.maxConcurrentBatches === 1 ? 1 : WEBHOOK_BATCHES_IN_FLIGHT,
      backlogForExtraBatch: WEBHOOK_BACKLOG_FOR_EXTRA_BATCH,
      eagerBatchSize: WEBHOOK_EAGER_BATCH,
    });
    writers.set(db, writer);
  }
  return writer.write(event);
}
