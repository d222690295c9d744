// The ledger's batching writer for usage events that name their tenant and mapping (the API, the
// adjustments' callers, the webhooks' own writer after routing): log_usage_batch counts a batch in one
// statement and one durable commit (batch-writer.ts holds the queueing, lanes, retries).
//
// The counting rule is not here: it is the SQL function log_usage_batch (db/functions/40-counting.sql),
// the same code log_voice_usage / log_sms_usage run for one event. Exactly-once holds across batches
// and within one (the first event of a key counts, its repeats answer counted = false).
import "server-only";
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { queryRowsPrepared, type Db } from "@/db/client";
import type { SmsDirection } from "@/db/schema";
import { asBillingError, BillingError } from "@/lib/errors";
import { BatchWriter, writerOptionsFor } from "./batch-writer";
import { storableJson } from "./storable-json";

export type { LedgerWriterOptions, LedgerWriterStats } from "./batch-writer";

export type UsageEvent =
  | { kind: "voice"; tenantId: string; phoneMappingId: string; durationSeconds: number; metadata: Record<string, unknown> }
  | { kind: "sms"; tenantId: string; phoneMappingId: string; direction: SmsDirection; metadata: Record<string, unknown> };

export interface UsageLogResult {
  /** false when this provider event had been counted before (nothing changed). */
  counted: boolean;
  logId: number;
  counterId: string;
  billingPeriodStart: string;
  billingPeriodEnd: string;
}

export interface BatchRow {
  ord: number;
  counted: boolean | null;
  log_id: string | null;
  counter_id: string | null;
  billing_period_start: string | null;
  billing_period_end: string | null;
  error_code: string | null;
  error_message: string | null;
}

// Literals rather than a spread of shared fields: cheaper per event (as routableJson, webhook-writer.ts).
function eventJson(event: UsageEvent): Record<string, unknown> {
  return event.kind === "voice"
    ? { kind: "voice", tenant_id: event.tenantId, phone_mapping_id: event.phoneMappingId, metadata: event.metadata, duration_seconds: event.durationSeconds }
    : { kind: "sms", tenant_id: event.tenantId, phone_mapping_id: event.phoneMappingId, metadata: event.metadata, direction: event.direction };
}

/** The error one event of a batch got, as the single-event functions would have raised it. */
function eventError(code: string, message: string): BillingError {
  return asBillingError(Object.assign(new Error(message), { code })) ?? new BillingError("invalid_input", message);
}

export function resultOf(row: BatchRow): UsageLogResult {
  if (row.error_code) throw eventError(row.error_code, row.error_message ?? "The usage event was refused");
  if (row.counted === null || !row.log_id || !row.counter_id || !row.billing_period_start || !row.billing_period_end) {
    throw new Error(`log_usage_batch returned an incomplete row for event ${row.ord}`);
  }
  return {
    counted: row.counted,
    logId: Number(row.log_id),
    counterId: row.counter_id,
    billingPeriodStart: row.billing_period_start,
    billingPeriodEnd: row.billing_period_end,
  };
}

/** Runs one batch in one statement (one transaction): a row per event, in the events' order. */
export async function runUsageBatch(db: Db, events: UsageEvent[]): Promise<BatchRow[]> {
  const rows = await queryRowsPrepared<BatchRow>(
    db,
    sql`select ord, counted, log_id::text as log_id, counter_id::text as counter_id,
          billing_period_start::text as billing_period_start, billing_period_end::text as billing_period_end,
          error_code, error_message
        from log_usage_batch(${storableJson(events.map(eventJson))}::jsonb)`,
  );
  if (rows.length !== events.length) throw new Error(`log_usage_batch answered ${rows.length} of ${events.length} events`);
  return rows.sort((a, b) => a.ord - b.ord);
}

/**
 * The writer of usage events. Events are laned by tenant: batches in flight together never touch the
 * same counter, daily row or alert lock (all per tenant) and never wait on each other.
 */
export class LedgerWriter extends BatchWriter<UsageEvent, BatchRow, UsageLogResult> {
  protected runBatchStatement(events: UsageEvent[]): Promise<BatchRow[]> {
    return runUsageBatch(this.db, events);
  }

  protected resultOf(row: BatchRow): UsageLogResult {
    return resultOf(row);
  }

  protected laneKey(event: UsageEvent): string {
    return event.tenantId;
  }

  protected metricsName(): "usage" {
    return "usage";
  }
}

const writers = new WeakMap<Db, LedgerWriter>();

/** The process-wide writer of a database. */
export function ledgerWriterFor(db: Db): LedgerWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new LedgerWriter(db, writerOptionsFor(db));
    writers.set(db, writer);
  }
  return writer;
}

export function isTransaction(db: Db): boolean {
  return (db as unknown) instanceof PgTransaction;
}

/**
 * Counts one event through the batching writer; inside a caller's transaction it runs right there
 * instead (batching across transactions would break theirs).
 */
export async function writeUsageEvent(db: Db, event: UsageEvent): Promise<UsageLogResult> {
  if (isTransaction(db)) {
    let rows: BatchRow[];
    try {
      rows = await runUsageBatch(db, [event]);
    } catch (err) {
      throw asBillingError(err) ?? err;
    }
    return resultOf(rows[0]!);
  }
  return ledgerWriterFor(db).write(event);
}
