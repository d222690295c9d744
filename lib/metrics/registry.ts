// The process's one Prometheus registry (prom-client): the client's default process metrics and
// billing-map's own. Kept on globalThis, like db/client.ts's connection, so a dev-server module
// reload or a second route bundle finds the same registry and the same counts instead of starting
// a second set (or failing on a name registered twice).
//
// METRICS_DISABLED=1 turns the counting off (the webhook meters and batch observers do nothing): the
// benchmark compares webhook throughput with and without it. /api/metrics still answers.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import {
  newWebhookCounts,
  WEBHOOK_ENDPOINTS,
  WEBHOOK_OUTCOMES,
  webhookMeterOver,
  type WebhookCounts,
  type WebhookEndpoint,
  type WebhookMeter,
} from "./webhook-outcomes";

export const LEDGER_WRITERS = ["usage", "webhook"] as const;
export type LedgerWriterName = (typeof LEDGER_WRITERS)[number];

/** What a batching writer reports about itself at scrape time (lib/billing/batch-writer.ts). */
export interface LedgerWriterState {
  queuedEvents(): number;
  batchesInFlight(): number;
}

export interface BillingMapMetrics {
  registry: Registry;
  counting: boolean;
  webhookCounts: WebhookCounts;
  batchSeconds: Histogram<"writer">;
  batchSize: Histogram<"writer">;
  unmatchedOpen: Gauge;
  reconciliationDrift: Gauge<"account" | "metric">;
  databasePoolMax: Gauge;
  databaseConnections: Gauge<"state">;
  databaseUp: Gauge;
  writers: Map<LedgerWriterName, WeakRef<LedgerWriterState>>;
}

const PREFIX = "billing_map_";

function createMetrics(): BillingMapMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const webhookCounts = newWebhookCounts();
  const writers = new Map<LedgerWriterName, WeakRef<LedgerWriterState>>();

  // Label sets resolved once; collect() adds what was counted since the last scrape.
  const labelSets = WEBHOOK_ENDPOINTS.flatMap((endpoint) => WEBHOOK_OUTCOMES.map((outcome) => ({ endpoint, outcome })));
  const reported = new Float64Array(webhookCounts.length);
  const webhookRequests = new Counter({
    name: `${PREFIX}webhook_requests_total`,
    help: "Twilio webhook requests by endpoint and what they came to (counted, duplicate, unmatched, ignored, rejected_signature, invalid, unavailable).",
    labelNames: ["endpoint", "outcome"] as const,
    registers,
    collect() {
      for (let i = 0; i < webhookCounts.length; i++) {
        const delta = webhookCounts[i]! - reported[i]!;
        if (delta > 0) {
          this.inc(labelSets[i]!, delta);
          reported[i] = webhookCounts[i]!;
        }
      }
    },
  });
  // Every series exists from the start at 0, so increase() and rate() see the first request.
  for (const labels of labelSets) webhookRequests.inc(labels, 0);

  const metrics: BillingMapMetrics = {
    registry,
    counting: process.env.METRICS_DISABLED !== "1",
    webhookCounts,
    batchSeconds: new Histogram({
      name: `${PREFIX}ledger_batch_seconds`,
      help: "Time one ledger batch took to write (one statement, one transaction), by writer.",
      labelNames: ["writer"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    batchSize: new Histogram({
      name: `${PREFIX}ledger_batch_size`,
      help: "Events in one ledger batch, by writer.",
      labelNames: ["writer"] as const,
      buckets: [1, 2, 5, 10, 25, 50, 100, 200, 300, 500],
      registers,
    }),
    unmatchedOpen: new Gauge({
      name: `${PREFIX}unmatched_open`,
      help: "Usage events waiting in the unmatched inbox (status open), read at scrape time.",
      registers,
    }),
    reconciliationDrift: new Gauge({
      name: `${PREFIX}reconciliation_drift`,
      help: "Ledger minus Twilio's Usage Records in the latest reconciliation run of each account, by metric.",
      labelNames: ["account", "metric"] as const,
      registers,
    }),
    databasePoolMax: new Gauge({
      name: `${PREFIX}db_pool_max_connections`,
      help: "Connections this process's database pool may open (DATABASE_POOL_MAX; 1 for the embedded PGlite).",
      registers,
    }),
    databaseConnections: new Gauge({
      name: `${PREFIX}db_connections`,
      help: "Connections billing-map's processes hold on its PostgreSQL database, by state (pg_stat_activity), read at scrape time.",
      labelNames: ["state"] as const,
      registers,
    }),
    databaseUp: new Gauge({
      name: `${PREFIX}db_up`,
      help: "1 when the database answered this scrape's readings, 0 when it did not (those gauges then keep no value).",
      registers,
    }),
    writers,
  };

  new Gauge({
    name: `${PREFIX}ledger_queued_events`,
    help: "Usage events waiting in this process's ledger writer for a batch (the pool is saturated when it grows).",
    labelNames: ["writer"] as const,
    registers,
    collect() {
      for (const name of LEDGER_WRITERS) this.set({ writer: name }, writers.get(name)?.deref()?.queuedEvents() ?? 0);
    },
  });
  new Gauge({
    name: `${PREFIX}ledger_batches_in_flight`,
    help: "Ledger batches of this process being written now (each holds one database connection).",
    labelNames: ["writer"] as const,
    registers,
    collect() {
      for (const name of LEDGER_WRITERS) this.set({ writer: name }, writers.get(name)?.deref()?.batchesInFlight() ?? 0);
    },
  });
  return metrics;
}

type Holder = { metrics?: BillingMapMetrics };
const holder: Holder = ((globalThis as { __billingMapMetrics?: Holder }).__billingMapMetrics ??= {});

/** The process-wide metrics, made on first use. */
export function processMetrics(): BillingMapMetrics {
  return (holder.metrics ??= createMetrics());
}

/** A webhook route's meter (resolve it once, at module load). */
export function webhookMeter(endpoint: WebhookEndpoint): WebhookMeter {
  const metrics = processMetrics();
  return webhookMeterOver(metrics.counting ? metrics.webhookCounts : undefined, endpoint);
}

export interface LedgerBatchObserver {
  observe(seconds: number, size: number): void;
}

/** A batching writer's observer of its batches; undefined when counting is off (time nothing then). */
export function ledgerBatchObserver(writer: LedgerWriterName, state: LedgerWriterState): LedgerBatchObserver | undefined {
  const metrics = processMetrics();
  metrics.writers.set(writer, new WeakRef(state));
  if (!metrics.counting) return undefined;
  const seconds = metrics.batchSeconds.labels(writer);
  const size = metrics.batchSize.labels(writer);
  return {
    observe: (s, n) => {
      seconds.observe(s);
      size.observe(n);
    },
  };
}
