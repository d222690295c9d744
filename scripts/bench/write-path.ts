// Ingestion without HTTP: (1) the lib/billing call the webhook handler makes (logVoiceUsage /
// logSmsUsage, through the batching writer) from many concurrent callers; (2) the database's
// per-event limit: log_voice_usage / log_sms_usage straight in SQL, one transaction per event, at the
// same concurrency as the HTTP load; (3) log_usage_batch alone, prebuilt batches (the database's
// share of the writer's time).
import postgres from "postgres";
import { ledgerWriterFor, type UsageEvent } from "@/lib/billing/ledger-writer";
import { logSmsUsage, logVoiceUsage } from "@/lib/billing/usage";
import type { BenchDatabase } from "./bench-db";
import { makeEvents, resetLedger, verifyTotals, type BenchEvent, type BenchNumber } from "./fleet";
import { percentile, runConcurrently } from "./stats";

export interface IngestFigures {
  events: number;
  distinct: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  extra?: Record<string, number | string>;
}

function figuresOf(events: number, distinct: number, wallMs: number, latenciesMs: number[], extra?: IngestFigures["extra"]): IngestFigures {
  return { events, distinct, eventsPerSecond: events / (wallMs / 1000), p50Ms: percentile(latenciesMs, 50), p99Ms: percentile(latenciesMs, 99), extra };
}

function voiceMeta(e: Extract<BenchEvent, { kind: "voice" }>) {
  return { call_sid: e.callSid, started_at: e.startedAt.toISOString(), direction: e.direction, ...(e.parentCallSid ? { parent_call_sid: e.parentCallSid } : {}) };
}
function smsMeta(e: Extract<BenchEvent, { kind: "sms" }>) {
  return { message_sid: e.messageSid, num_segments: e.segments, timestamp: e.at.toISOString() };
}

/** (1) The write path of lib/billing, as the webhook handlers call it, from `callers` concurrent callers. */
export async function benchLibWritePath(bench: BenchDatabase, numbers: BenchNumber[], total: number, callers: number, runTag: string): Promise<IngestFigures> {
  await resetLedger(bench.sql);
  const { events, distinct, expected } = makeEvents(numbers, total, 0.05, runTag);
  const open = await bench.open({ max: 10 });
  let counted = 0;
  try {
    const { wallMs, latenciesMs } = await runConcurrently(events, callers, async (e) => {
      const result =
        e.kind === "voice"
          ? await logVoiceUsage(open.db, { tenantId: e.number.tenantId, phoneMappingId: e.number.mappingId, durationSeconds: e.seconds, callSid: e.callSid, startedAt: e.startedAt, metadata: { direction: e.direction } })
          : await logSmsUsage(open.db, { tenantId: e.number.tenantId, phoneMappingId: e.number.mappingId, direction: e.direction, messageSid: e.messageSid, numSegments: e.segments, timestamp: e.at });
      if (result.counted) counted++;
    });
    await verifyTotals(bench.sql, expected, "lib write path");
    if (counted !== distinct) throw new Error(`lib write path: ${counted} callers were told "counted", ${distinct} distinct events were sent`);
    const stats = ledgerWriterFor(open.db).stats;
    return figuresOf(events.length, distinct, wallMs, latenciesMs, { batches: stats.batches, meanBatch: Math.round(stats.events / stats.batches), largestBatch: stats.largestBatch });
  } finally {
    await open.close();
  }
}

/** (2) One transaction per event, straight in SQL, `concurrency` connections. */
export async function benchSqlPerEvent(bench: BenchDatabase, numbers: BenchNumber[], total: number, concurrency: number, runTag: string): Promise<IngestFigures> {
  await resetLedger(bench.sql);
  const { events, distinct, expected } = makeEvents(numbers, total, 0.05, runTag);
  const sql = postgres(bench.url, { max: concurrency, onnotice: () => undefined });
  try {
    await Promise.all(Array.from({ length: concurrency }, () => sql`select 1`)); // connect first
    const { wallMs, latenciesMs } = await runConcurrently(events, concurrency, async (e) => {
      if (e.kind === "voice") {
        await sql`select counted from log_voice_usage(${e.number.tenantId}, ${e.number.mappingId}::uuid, ${e.seconds}::int, ${sql.json(voiceMeta(e))})`;
      } else {
        await sql`select counted from log_sms_usage(${e.number.tenantId}, ${e.number.mappingId}::uuid, ${e.direction}, ${sql.json(smsMeta(e))})`;
      }
    });
    await verifyTotals(bench.sql, expected, `SQL per event (${concurrency} connections)`);
    return figuresOf(events.length, distinct, wallMs, latenciesMs);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** (3) log_usage_batch alone: prebuilt batches of `batchSize`, `concurrency` connections. */
export async function benchSqlBatches(bench: BenchDatabase, numbers: BenchNumber[], total: number, batchSize: number, concurrency: number, runTag: string): Promise<IngestFigures> {
  await resetLedger(bench.sql);
  const { events, distinct, expected } = makeEvents(numbers, total, 0.05, runTag);
  const asUsage = (e: BenchEvent): UsageEvent =>
    e.kind === "voice"
      ? { kind: "voice", tenantId: e.number.tenantId, phoneMappingId: e.number.mappingId, durationSeconds: e.seconds, metadata: voiceMeta(e) }
      : { kind: "sms", tenantId: e.number.tenantId, phoneMappingId: e.number.mappingId, direction: e.direction, metadata: smsMeta(e) };
  const batches: string[] = [];
  for (let i = 0; i < events.length; i += batchSize) {
    batches.push(
      JSON.stringify(
        events.slice(i, i + batchSize).map(asUsage).map((u) =>
          u.kind === "voice"
            ? { kind: u.kind, tenant_id: u.tenantId, phone_mapping_id: u.phoneMappingId, duration_seconds: u.durationSeconds, metadata: u.metadata }
            : { kind: u.kind, tenant_id: u.tenantId, phone_mapping_id: u.phoneMappingId, direction: u.direction, metadata: u.metadata },
        ),
      ),
    );
  }
  const sql = postgres(bench.url, { max: concurrency, onnotice: () => undefined });
  try {
    await Promise.all(Array.from({ length: concurrency }, () => sql`select 1`));
    const { wallMs, latenciesMs } = await runConcurrently(batches, concurrency, async (b) => {
      await sql`select count(*) from log_usage_batch(${b}::text::jsonb)`;
    });
    await verifyTotals(bench.sql, expected, "log_usage_batch");
    return figuresOf(events.length, distinct, wallMs, latenciesMs, { batchSize, batchP50Ms: percentile(latenciesMs, 50) });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
