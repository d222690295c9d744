// Scenario: reconciliation. One account's period of 1,000,000 records (half calls, half messages) served
// by the project's fake of Twilio's REST API in a process of its own, 95 % of the billed ones counted by
// the "webhooks" beforehand (through log_webhook_usage_batch, with the keys and quantities the parsers
// give), some outbound SMS counted short of their segments. Measured:
//   - local: no latency; records per second of the whole run (reading, parsing, the ledger writes) and
//     the reconciler's peak RSS;
//   - far: 150 ms per page; the wall time against pages x latency / concurrency (READERS).
// Each run must then hold every tenant's counters exactly as the records add up, the run's counts as
// expected (counted = the missing 5 %, corrected = the short ones): a wrong count fails the benchmark.
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { routableUsageEventOf } from "@/lib/billing/webhook-usage";
import { routableJson } from "@/lib/billing/webhook-writer";
import { POSTGRES_WRITERS, READERS, type RunSummary } from "@/lib/twilio/reconciliation/reconcile";
import { readCall, readMessage } from "@/lib/twilio/reconciliation/rest-events";
import type { FakeCallResource, FakeMessageResource } from "@/lib/twilio/fake-rest-api/resources";
import { createBenchDatabase, type BenchDatabase } from "./bench-db";
import {
  BENCH_ZONES,
  benchNumber,
  benchNumberSid,
  benchTenantOf,
  callAt,
  callBilled,
  countedBefore,
  countedShort,
  expectedTotals,
  messageAt,
  messageBilled,
  type ReconcileDataSpec,
} from "./reconcile-data";
import type { Results } from "./results";

const ACCOUNT = `AC${"be".repeat(16)}`;
const TOKEN = "bench-reconciliation-token";
const LATENCY_MS = 150;

export interface ReconcileOptions {
  smoke: boolean;
  /** Records per measured period (default 1,000,000; the smoke run 4,000). */
  records?: number;
  results: Results;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function startFake(args: { latencyMs: number; numbers: number; specs: ReconcileDataSpec[] }): Promise<{ url: string; stop(): void }> {
  const script = path.join(process.cwd(), "scripts", "bench", "reconcile-fake-process.ts");
  const child = spawn(process.execPath, [...process.execArgv, script, JSON.stringify({ accountSid: ACCOUNT, authToken: TOKEN, ...args })], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => line.startsWith("URL ") && resolve(line.slice(4)));
    child.once("exit", (code) => reject(new Error(`the fake Twilio API exited (${code}) before listening`)));
  });
  return { url, stop: () => void child.kill("SIGTERM") };
}

async function seedAccount(bench: BenchDatabase, numbers: number): Promise<void> {
  const tenants = Math.ceil(numbers / 10);
  await bench.sql`insert into tenants ${bench.sql(
    Array.from({ length: tenants }, (_, t) => ({ id: `bench-recon-${t}`, name: `Bench tenant ${t}`, billing_time_zone: BENCH_ZONES[t % BENCH_ZONES.length]! })),
  )}`;
  const rows = Array.from({ length: numbers }, (_, n) => ({
    tenant_id: benchTenantOf(n),
    twilio_number_sid: benchNumberSid(n),
    phone_number: benchNumber(n),
    provisioned_at: new Date("2024-01-01T00:00:00Z"),
  }));
  for (let i = 0; i < rows.length; i += 500) await bench.sql`insert into tenant_phone_mappings ${bench.sql(rows.slice(i, i + 500))}`;
}

/**
 * The ledger as the webhooks left it: 95 % of the billed records, as their callbacks parse (the events
 * the parsers give, so keys and quantities are the webhooks' own), written in bulk (log entries, then
 * their counters) because counting a million events one batch at a time would take the benchmark most
 * of its time before it starts. The run's own checks then prove the two agree.
 */
async function countBefore(bench: BenchDatabase, spec: ReconcileDataSpec): Promise<number> {
  let batch: Record<string, unknown>[] = [];
  let written = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = await bench.sql.unsafe(
      `insert into tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, voice_seconds, sms_segments,
         direction, channel, provider_sid, idempotency_key, event_at, billing_period_start, metadata)
       select m.tenant_id, m.id, e.kind,
         case e.kind when 'voice' then ceil(e.duration_seconds / 60.0)::int else 1 end,
         case e.kind when 'voice' then 'minutes' else 'messages' end,
         case e.kind when 'voice' then e.duration_seconds end,
         case e.kind when 'sms' then coalesce((e.metadata ->> 'num_segments')::int, 1) end,
         case e.kind when 'voice' then e.metadata ->> 'direction' else e.direction end,
         case e.kind when 'sms' then coalesce(e.metadata ->> 'channel', 'sms') end,
         coalesce(e.metadata ->> 'call_sid', e.metadata ->> 'message_sid'), e.unmatched_key, e.event_at,
         billing_period_start_of(t.billing_time_zone, e.event_at), e.metadata
       from jsonb_to_recordset($1::jsonb) as e(kind text, phone_number text, event_at timestamptz, unmatched_key text,
         duration_seconds int, direction text, metadata jsonb)
       join tenant_phone_mappings m on m.phone_number = e.phone_number
       join tenants t on t.id = m.tenant_id
       returning 1`,
      [batch as never],
    );
    written += rows.length;
    batch = [];
  };
  const push = async (reading: ReturnType<typeof readCall>) => {
    if (reading.kind !== "countable") throw new Error(`a billed bench record counts nothing: ${reading.kind}`);
    batch.push(routableJson(routableUsageEventOf(reading.event.event)));
    if (batch.length >= 10_000) await flush();
  };
  for (let i = 0; i < spec.calls; i++) {
    const c = callAt(spec, i);
    if (callBilled(c) && countedBefore(i)) await push(readCall(c));
  }
  for (let i = 0; i < spec.messages; i++) {
    const m = messageAt(spec, i);
    // A status callback carries no NumSegments: the short ones count as 1 segment.
    if (messageBilled(m) && countedBefore(i)) await push(readMessage(countedShort(m, i) ? { ...m, num_segments: "0" } : m));
  }
  await flush();
  await bench.sql`
    insert into tenant_usage_counters (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
      voice_minutes_used, voice_calls_count, voice_seconds_used, voice_inbound_minutes, voice_outbound_minutes,
      sms_count_used, sms_sent_count, sms_received_count, sms_segments_used, sms_inbound_segments, sms_outbound_segments,
      mms_sent_count, mms_received_count, whatsapp_sent_count, whatsapp_received_count)
    select tenant_id, phone_mapping_id, billing_period_start, billing_period_end_of(billing_period_start),
      coalesce(sum(quantity) filter (where usage_type = 'voice'), 0), count(*) filter (where usage_type = 'voice'),
      coalesce(sum(voice_seconds), 0),
      coalesce(sum(quantity) filter (where usage_type = 'voice' and direction = 'inbound'), 0),
      coalesce(sum(quantity) filter (where usage_type = 'voice' and direction = 'outbound'), 0),
      count(*) filter (where channel = 'sms'), count(*) filter (where channel = 'sms' and direction = 'outbound'),
      count(*) filter (where channel = 'sms' and direction = 'inbound'), coalesce(sum(sms_segments) filter (where channel = 'sms'), 0),
      coalesce(sum(sms_segments) filter (where channel = 'sms' and direction = 'inbound'), 0),
      coalesce(sum(sms_segments) filter (where channel = 'sms' and direction = 'outbound'), 0),
      count(*) filter (where channel = 'mms' and direction = 'outbound'), count(*) filter (where channel = 'mms' and direction = 'inbound'),
      count(*) filter (where channel = 'whatsapp' and direction = 'outbound'), count(*) filter (where channel = 'whatsapp' and direction = 'inbound')
    from tenant_usage_logs where billing_period_start = ${`${spec.month}-01`}::date
    group by tenant_id, phone_mapping_id, billing_period_start`;
  return written;
}

interface RunFigures {
  summary: RunSummary;
  seconds: number;
  peakRssMb: number;
}

/** A run in a process of its own (as `npm run reconcile`): its summary, wall time and peak RSS. */
async function measuredRun(bench: BenchDatabase, baseUrl: string, month: string): Promise<RunFigures> {
  const script = path.join(process.cwd(), "scripts", "bench", "reconcile-run-process.ts");
  const args = JSON.stringify({ databaseUrl: bench.url, baseUrl, month, accountSid: ACCOUNT, authToken: TOKEN });
  // The heap cap `npm run reconcile` runs with (package.json): the run holds ~40 MB live; uncapped, V8
  // lets garbage pile up to several times that before it collects.
  // BENCH_RECONCILE_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the run.
  const extra = (process.env.BENCH_RECONCILE_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, ["--max-old-space-size=128", ...extra, ...process.execArgv, script, args], { stdio: ["ignore", "pipe", "inherit"] });
  let last = "";
  createInterface({ input: child.stdout! }).on("line", (line) => (last = line));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`the reconciliation of ${month} exited with ${code}`);
  const figures = JSON.parse(last) as RunFigures;
  if (figures.summary.status !== "succeeded") throw new Error(`the reconciliation of ${month} failed: ${figures.summary.error ?? "no reason"}`);
  return figures;
}

/** The run's counts and every tenant's counters exactly as the records add up; throws otherwise. */
async function verify(bench: BenchDatabase, spec: ReconcileDataSpec, summary: RunSummary): Promise<void> {
  const expected = expectedTotals(spec);
  const problems: string[] = [];
  if (summary.counted !== expected.missing) problems.push(`counted ${summary.counted}, expected ${expected.missing}`);
  if (summary.corrected !== expected.short) problems.push(`corrected ${summary.corrected}, expected ${expected.short}`);
  if (summary.recordsRead !== spec.calls + spec.messages) problems.push(`read ${summary.recordsRead} of ${spec.calls + spec.messages}`);
  const rows = await bench.sql<Record<string, string | number>[]>`
    select tenant_id, sum(voice_calls_count)::int as calls, sum(voice_inbound_minutes)::int as "inboundMinutes",
      sum(voice_outbound_minutes)::int as "outboundMinutes", sum(voice_seconds_used)::bigint::int as seconds,
      sum(sms_count_used)::int as sms, sum(sms_inbound_segments)::int as "smsInboundSegments",
      sum(sms_outbound_segments)::int as "smsOutboundSegments", sum(mms_sent_count)::int as "mmsSent",
      sum(mms_received_count)::int as "mmsReceived"
    from tenant_usage_counters where billing_period_start = ${`${spec.month}-01`}::date group by tenant_id`;
  const actual = new Map(rows.map(({ tenant_id, ...rest }) => [String(tenant_id), rest]));
  for (const [tenant, totals] of expected.byTenant) {
    for (const [field, value] of Object.entries(totals)) {
      const got = Number(actual.get(tenant)?.[field] ?? 0);
      if (got !== value) problems.push(`${tenant} ${spec.month} ${field}: counter ${got}, records ${value}`);
    }
  }
  if (actual.size !== expected.byTenant.size) problems.push(`${actual.size} tenants with counters, ${expected.byTenant.size} with records`);
  if (problems.length > 0) throw new Error(`reconciliation counted wrong (${problems.length}): ${problems.slice(0, 5).join("; ")}`);
}

export async function reconcileScenario(o: ReconcileOptions): Promise<void> {
  const records = o.records ?? (o.smoke ? 4_000 : 1_000_000);
  const numbers = o.smoke ? 40 : 1000;
  const spec = (month: string, tag: string): ReconcileDataSpec => ({ accountSid: ACCOUNT, month, tag, calls: records / 2, messages: records / 2, numbers });
  const local = spec("2024-11", "b2");
  const far = spec("2024-10", "a1");
  const bench = await createBenchDatabase("reconcile");
  try {
    await seedAccount(bench, numbers);
    const setupStarted = performance.now();
    const before = (await countBefore(bench, local)) + (await countBefore(bench, far));
    await bench.sql`vacuum (analyze) tenant_usage_logs, tenant_usage_counters`;
    console.log(`  ${fmt(before)} events counted before the runs in ${fmt((performance.now() - setupStarted) / 1000, 1)} s`);

    const fake = await startFake({ latencyMs: 0, numbers, specs: [local] });
    let localRun: RunFigures;
    try {
      localRun = await measuredRun(bench, fake.url, local.month);
    } finally {
      fake.stop();
    }
    await verify(bench, local, localRun.summary);
    const rate = records / localRun.seconds;
    o.results.add({
      scenario: "reconcile",
      measure: `${fmt(records)} records (95 % counted before), no latency`,
      value: rate,
      unit: "records/s",
      detail: `${fmt(localRun.seconds, 1)} s, ${fmt(localRun.summary.pages)} pages; counted ${fmt(localRun.summary.counted)}, corrected ${fmt(localRun.summary.corrected)}`,
      target: "reconcile.local-rate",
    });
    o.results.add({ scenario: "reconcile", measure: "peak RSS of the reconciling process", value: localRun.peakRssMb, unit: "MB", target: "reconcile.memory" });

    const latency = o.smoke ? 5 : LATENCY_MS;
    const slow = await startFake({ latencyMs: latency, numbers, specs: [far] });
    let farRun: RunFigures;
    try {
      farRun = await measuredRun(bench, slow.url, far.month);
    } finally {
      slow.stop();
    }
    await verify(bench, far, farRun.summary);
    // Every page the run asked for: the calls and messages, the number inventory's and the Usage Records'.
    const pages = farRun.summary.pages + 2;
    const bound = (pages * latency) / 1000 / READERS;
    o.results.add({
      scenario: "reconcile",
      measure: `${latency} ms per page, ${fmt(pages)} pages, ${READERS} at once`,
      value: farRun.seconds,
      unit: "s",
      baseline: { what: "pages x latency / concurrency", value: bound, unit: "s" },
      target: "reconcile.latency-wall",
    });
    o.results.note(
      `reconcile: ${READERS} pages of an account read at once (Twilio limits an account's concurrent REST requests and answers 429 / 20429 past it; every 429 is retried with backoff), ${POSTGRES_WRITERS} pages written at once; the fake serves pages from a process of its own, the run is a fresh process with a 128 MB old space.`,
    );
  } finally {
    await bench.drop();
  }
}
