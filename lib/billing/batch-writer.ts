// The batching writer behind the ledger: concurrent events share one transaction. Each caller's event
// waits in a queue; whenever a batch slot is free, everything queued (up to maxBatchSize) goes to the
// database in ONE statement (one transaction, one durable commit), and each caller is answered only
// after that commit, with its own result or its own error. Under light load a batch is one event (no
// added latency); under heavy load batches grow, and the per-transaction cost (commit, WAL flush, round
// trip) is paid once per batch instead of once per event. What a batch runs (log_usage_batch,
// log_webhook_usage_batch) is the subclass's: ledger-writer.ts, webhook-writer.ts.
import "server-only";
import type { Db } from "@/db/client";
import { asBillingError, BillingError, errorCodeOf } from "@/lib/errors";
import { ledgerBatchObserver, type LedgerBatchObserver, type LedgerWriterName, type LedgerWriterState } from "@/lib/metrics/registry";

export interface LedgerWriterOptions {
  /** Most events in one transaction. */
  maxBatchSize?: number;
  /** Lanes: queues with a batch of their own in flight (each batch holds one connection while it runs). */
  maxConcurrentBatches?: number;
  /**
   * Events allowed to wait for a batch. Past it the database is not keeping up: new events are refused
   * at once as unavailable (503; Twilio retries) instead of queueing without bound.
   */
  maxQueuedEvents?: number;
  /** Batches one lane may have in flight (default 1); past the first only with a backlog. */
  batchesPerLane?: number;
  /** Queued events of a lane that start another of its batches while one is in flight. */
  backlogForExtraBatch?: number;
  /**
   * Queued events of a lane that leave as a batch at once, within the current turn of the event loop,
   * when the lane has a batch slot free (default: none; batches leave at the end of the turn). A turn
   * that parses a burst of requests reads no database answer until it ends; this lets the burst's
   * first events be written meanwhile instead of waiting for its last.
   */
  eagerBatchSize?: number;
}

export interface LedgerWriterStats {
  batches: number;
  events: number;
  largestBatch: number;
  /** Batches that failed as a whole and were retried event by event. */
  splitBatches: number;
}

interface Pending<E, R> {
  event: E;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

// Deadlock and serialization failures: the batch did nothing; running it again is safe.
const RETRYABLE_SQLSTATES = new Set(["40P01", "40001"]);
const MAX_ATTEMPTS = 3;

function laneOf(key: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

export abstract class BatchWriter<E, Row, R> implements LedgerWriterState {
  // One queue per lane, one batch in flight per lane (more only behind a backlog, batchesPerLane).
  // Events of one lane key (a tenant) always share a lane, so the lanes' batches do not update the
  // same rows.
  private readonly lanes: Array<{ queue: Pending<E, R>[]; inFlight: number }>;
  private queued = 0;
  private readonly maxBatchSize: number;
  private readonly maxQueuedEvents: number;
  private readonly batchesPerLane: number;
  private readonly backlogForExtraBatch: number;
  private readonly eagerBatchSize: number;
  readonly stats: LedgerWriterStats = { batches: 0, events: 0, largestBatch: 0, splitBatches: 0 };
  // Each batch's time and size (billing_map_ledger_batch_seconds / _size); undefined when metrics are off.
  private readonly observer: LedgerBatchObserver | undefined;

  constructor(
    protected readonly db: Db,
    options: LedgerWriterOptions = {},
  ) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 500);
    this.lanes = Array.from({ length: Math.max(1, options.maxConcurrentBatches ?? 4) }, () => ({ queue: [], inFlight: 0 }));
    this.batchesPerLane = Math.max(1, options.batchesPerLane ?? 1);
    this.backlogForExtraBatch = options.backlogForExtraBatch ?? Number.POSITIVE_INFINITY;
    this.eagerBatchSize = options.eagerBatchSize ?? Number.POSITIVE_INFINITY;
    this.maxQueuedEvents = Math.max(1, options.maxQueuedEvents ?? 20_000);
    this.observer = ledgerBatchObserver(this.metricsName(), this);
  }

  /** The writer's name in the metrics (a method: the constructor reads it before subclass fields exist). */
  protected abstract metricsName(): LedgerWriterName;

  /** Events waiting for a batch (billing_map_ledger_queued_events). */
  queuedEvents(): number {
    return this.queued;
  }

  /** Batches being written now (billing_map_ledger_batches_in_flight). */
  batchesInFlight(): number {
    let n = 0;
    for (const lane of this.lanes) n += lane.inFlight;
    return n;
  }

  /** Runs a batch in one statement (one transaction): a row per event, in the events' order. */
  protected abstract runBatchStatement(events: E[]): Promise<Row[]>;
  /** The caller's answer from its row; throws the event's own error. */
  protected abstract resultOf(row: Row): R;
  /** Which lane an event goes to. */
  protected abstract laneKey(event: E): string;

  /** Counts one event; resolves after the transaction holding it has committed. */
  write(event: E): Promise<R> {
    if (this.queued >= this.maxQueuedEvents) {
      return Promise.reject(
        new BillingError("unavailable", "The ledger is busy: too many usage events are waiting to be written; try again shortly."),
      );
    }
    return new Promise<R>((resolve, reject) => {
      const lane = this.lanes[laneOf(this.laneKey(event), this.lanes.length)]!;
      lane.queue.push({ event, resolve, reject });
      this.queued++;
      if (lane.queue.length >= this.eagerBatchSize && lane.inFlight < this.batchesPerLane) this.dispatch(lane);
      else this.schedulePump();
    });
  }

  // Batches leave at the end of the current turn of the event loop, so that every event submitted in
  // it (the requests parsed in one poll, the callers a finished batch released) shares the next batch;
  // with eagerBatchSize, a full enough batch leaves within the turn instead (write()).
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
      // A lane's first batch leaves at once; another only when a backlog has built up behind it.
      while (
        lane.queue.length > 0 &&
        (lane.inFlight === 0 || (lane.inFlight < this.batchesPerLane && lane.queue.length >= this.backlogForExtraBatch))
      ) {
        this.dispatch(lane);
      }
    }
  }

  private dispatch(lane: { queue: Pending<E, R>[]; inFlight: number }): void {
    const batch = lane.queue.splice(0, this.maxBatchSize);
    this.queued -= batch.length;
    lane.inFlight++;
    void this.runBatch(batch).finally(() => {
      lane.inFlight--;
      this.schedulePump();
    });
  }

  private async runBatch(batch: Pending<E, R>[]): Promise<void> {
    this.stats.batches++;
    this.stats.events += batch.length;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    if (!this.observer) return this.settleBatch(batch);
    const started = performance.now();
    try {
      await this.settleBatch(batch);
    } finally {
      this.observer.observe((performance.now() - started) / 1000, batch.length);
    }
  }

  private async settleBatch(batch: Pending<E, R>[]): Promise<void> {
    let rows: Row[];
    try {
      rows = await this.runWithRetry(batch.map((p) => p.event));
    } catch (err) {
      await this.settleFailedBatch(batch, err);
      return;
    }
    batch.forEach((pending, i) => {
      try {
        pending.resolve(this.resultOf(rows[i]!));
      } catch (err) {
        pending.reject(err);
      }
    });
  }

  private async runWithRetry(events: E[]): Promise<Row[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runBatchStatement(events);
      } catch (err) {
        const state = errorCodeOf(err).code;
        if (attempt >= MAX_ATTEMPTS || !state || !RETRYABLE_SQLSTATES.has(state)) throw err;
      }
    }
  }

  // A batch refused as a whole wrote nothing (one statement, one transaction). Known checks answer
  // per event without failing the batch; this is for the rest (e.g. a time the database cannot
  // represent): each event runs alone, so only the bad one gets the error. An unreachable database
  // fails them all at once.
  private async settleFailedBatch(batch: Pending<E, R>[], err: unknown): Promise<void> {
    const billingError = asBillingError(err);
    if (batch.length === 1 || billingError?.code === "unavailable") {
      for (const pending of batch) pending.reject(billingError ?? err);
      return;
    }
    this.stats.splitBatches++;
    for (const pending of batch) {
      try {
        const [row] = await this.runWithRetry([pending.event]);
        pending.resolve(this.resultOf(row!));
      } catch (eventErr) {
        pending.reject(asBillingError(eventErr) ?? eventErr);
      }
    }
  }
}

/**
 * A process-wide writer's options. PGlite runs one statement at a time, so there one batch is in flight
 * and batching is simply serial.
 */
export function writerOptionsFor(db: Db): LedgerWriterOptions {
  const postgresJs = typeof (db as unknown as { $client?: unknown }).$client === "function";
  return {
    maxBatchSize: Number(process.env.LEDGER_MAX_BATCH_SIZE ?? 300),
    maxConcurrentBatches: postgresJs ? Number(process.env.LEDGER_MAX_CONCURRENT_BATCHES ?? 2) : 1,
  };
}
