// The batching ledger writer: concurrent usage events share one transaction. Each caller's event waits
// in a queue; whenever a batch slot is free, everything queued (up to maxBatchSize) goes to
// log_usage_batch in ONE statement (one transaction, one durable commit), and each caller is answered
// only after that commit, with its own result or its own error. Under light load a batch is one event
// (no added latency); under heavy load batches grow, and the per-transaction cost (commit, WAL flush,
// round trip) is paid once per batch instead of once per event.
//
// The counting rule is not here: it is the SQL function log_usage_batch (db/migrations), the same
// code log_voice_usage / log_sms_usage run for one event. Exactly-once holds across batches and
// within one (the first event of a key counts, its repeats answer counted = false).
import "server-only";
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { queryRowsPrepared, type Db } from "@/db/client";
import type { SmsDirection } from "@/db/schema";
import { asBillingError, BillingError } from "@/lib/errors";

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

export interface LedgerWriterOptions {
  /** Most events in one transaction. */
  maxBatchSize?: number;
  /** Batches in flight at once, one per lane of mappings (each holds one connection while it runs). */
  maxConcurrentBatches?: number;
  /**
   * Events allowed to wait for a batch. Past it the database is not keeping up: new events are refused
   * at once as unavailable (503; Twilio retries) instead of queueing without bound.
   */
  maxQueuedEvents?: number;
}

export interface LedgerWriterStats {
  batches: number;
  events: number;
  largestBatch: number;
  /** Batches that failed as a whole and were retried event by event. */
  splitBatches: number;
}

interface Pending {
  event: UsageEvent;
  resolve: (result: UsageLogResult) => void;
  reject: (error: unknown) => void;
}

interface BatchRow {
  ord: number;
  counted: boolean | null;
  log_id: string | null;
  counter_id: string | null;
  billing_period_start: string | null;
  billing_period_end: string | null;
  error_code: string | null;
  error_message: string | null;
}

// Deadlock and serialization failures: the batch did nothing; running it again is safe.
const RETRYABLE_SQLSTATES = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 3;

function eventJson(event: UsageEvent): Record<string, unknown> {
  const common = { kind: event.kind, tenant_id: event.tenantId, phone_mapping_id: event.phoneMappingId, metadata: event.metadata };
  return event.kind === "voice"
    ? { ...common, duration_seconds: event.durationSeconds }
    : { ...common, direction: event.direction };
}

function sqlStateOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The error one event of a batch got, as the single-event functions would have raised it. */
function eventError(code: string, message: string): BillingError {
  return asBillingError(Object.assign(new Error(message), { code })) ?? new BillingError("invalid_input", message);
}

function resultOf(row: BatchRow): UsageLogResult {
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
        from log_usage_batch(${JSON.stringify(events.map(eventJson))}::jsonb)`,
  );
  if (rows.length !== events.length) throw new Error(`log_usage_batch answered ${rows.length} of ${events.length} events`);
  return rows.sort((a, b) => a.ord - b.ord);
}

/**
 * Which lane an event belongs to: a tenant always goes to the same lane, so batches in flight together
 * never touch the same counter, daily row or alert lock (all per tenant) and never wait on each other.
 */
function laneOf(event: UsageEvent, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0;
  for (let i = 0; i < event.tenantId.length; i++) h = (h * 31 + event.tenantId.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

export class LedgerWriter {
  // One queue and at most one batch in flight per lane. Events are laned by tenant, so batches in
  // flight together never update the same rows and never wait for each other's locks: they run in
  // parallel on the database instead of queueing behind one another's commit.
  private readonly lanes: Array<{ queue: Pending[]; busy: boolean }>;
  private queued = 0;
  private readonly maxBatchSize: number;
  private readonly maxQueuedEvents: number;
  readonly stats: LedgerWriterStats = { batches: 0, events: 0, largestBatch: 0, splitBatches: 0 };

  constructor(
    private readonly db: Db,
    options: LedgerWriterOptions = {},
  ) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
    this.lanes = Array.from({ length: Math.max(1, options.maxConcurrentBatches ?? 4) }, () => ({ queue: [], busy: false }));
    this.maxQueuedEvents = Math.max(1, options.maxQueuedEvents ?? 20_000);
  }

  /** Counts one event; resolves after the transaction holding it has committed. */
  write(event: UsageEvent): Promise<UsageLogResult> {
    if (this.queued >= this.maxQueuedEvents) {
      return Promise.reject(
        new BillingError("unavailable", "The ledger is busy: too many usage events are waiting to be written; try again shortly."),
      );
    }
    return new Promise<UsageLogResult>((resolve, reject) => {
      this.lanes[laneOf(event, this.lanes.length)]!.queue.push({ event, resolve, reject });
      this.queued++;
      this.schedulePump();
    });
  }

  // Batches leave at the end of the current turn of the event loop, so that every event submitted in
  // it (the requests parsed in one poll, the callers a finished batch released) shares the next batch.
  private pumpScheduled = false;
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    for (const lane of this.lanes) {
      if (lane.busy || lane.queue.length === 0) continue;
      const batch = lane.queue.splice(0, this.maxBatchSize);
      this.queued -= batch.length;
      lane.busy = true;
      void this.runBatch(batch).finally(() => {
        lane.busy = false;
        this.schedulePump();
      });
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    this.stats.batches++;
    this.stats.events += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    let rows: BatchRow[];
    try {
      rows = await this.runWithRetry(batch.map((p) => p.event));
    } catch (err) {
      await this.settleFailedBatch(batch, err);
      return;
    }
    batch.forEach((pending, i) => {
      try {
        pending.resolve(resultOf(rows[i]!));
      } catch (err) {
        pending.reject(err);
      }
    });
  }

  private async runWithRetry(events: UsageEvent[]): Promise<BatchRow[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await runUsageBatch(this.db, events);
      } catch (err) {
        const state = sqlStateOf(err);
        if (attempt >= MAX_ATTEMPTS || !state || !RETRYABLE_SQLSTATES.has(state)) throw err;
      }
    }
  }

  // A batch refused as a whole wrote nothing (one statement, one transaction). Known checks answer
  // per event without failing the batch; this is for the rest (e.g. a time the database cannot
  // represent): each event runs alone, so only the bad one gets the error. An unreachable database
  // fails them all at once.
  private async settleFailedBatch(batch: Pending[], err: unknown): Promise<void> {
    const billingError = asBillingError(err);
    if (batch.length === 1 || billingError?.code === "unavailable") {
      for (const pending of batch) pending.reject(billingError ?? err);
      return;
    }
    this.stats.splitBatches++;
    for (const pending of batch) {
      try {
        const [row] = await this.runWithRetry([pending.event]);
        pending.resolve(resultOf(row!));
      } catch (eventErr) {
        pending.reject(asBillingError(eventErr) ?? eventErr);
      }
    }
  }
}

const writers = new WeakMap<Db, LedgerWriter>();

function isPostgresJs(db: Db): boolean {
  return typeof (db as unknown as { $client?: unknown }).$client === "function";
}

/**
 * The process-wide writer of a database. PGlite runs one statement at a time, so there one batch is
 * in flight and batching is simply serial.
 */
export function ledgerWriterFor(db: Db): LedgerWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = new LedgerWriter(db, {
      maxBatchSize: Number(process.env.LEDGER_MAX_BATCH_SIZE ?? 300),
      maxConcurrentBatches: isPostgresJs(db) ? Number(process.env.LEDGER_MAX_CONCURRENT_BATCHES ?? 2) : 1,
    });
    writers.set(db, writer);
  }
  return writer;
}

function isTransaction(db: Db): boolean {
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
