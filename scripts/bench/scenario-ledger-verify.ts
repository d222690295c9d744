// Scenario: ledger:verify over a large consistent ledger. 100 tenants, 10,000 numbers, a year of
// audit-log entries (5,000,000 by default, 1 in 1,000 an adjustment), counters and daily rows built from
// them. Measures ledger_verify over every period and over one, through the command's own code path
// (lib/billing/ledger-verify.ts, a cursor), with this process's memory growth; then changes 3 counters and
// 2 daily rows behind the ledger's back and checks exactly those are reported.
//
// Part of npm run bench (--only=ledger-verify; the smoke run uses 20,000 entries), or alone:
//   npx tsx --conditions=react-server scripts/bench/scenario-ledger-verify.ts [--rows=5000000] [--runs=3]
// (BENCH_DATABASE_URL, or the local PostgreSQL via scripts/ensure-postgres.sh; its database is dropped).
import type postgres from "postgres";
import type { LedgerMismatch } from "@/lib/billing/ledger-verify";
import { verifyLedger } from "@/lib/billing/ledger-verify";
import { createBenchDatabase, dropAllBenchDatabases } from "./bench-db";
import { seedFleet } from "./fleet";
import { Results } from "./results";
import { median, round } from "./stats";

export interface LedgerVerifyOptions {
  logRows: number;
  runs: number;
  results: Results;
}

export const LEDGER_VERIFY_SIZES = { full: { logRows: 5_000_000 }, smoke: { logRows: 20_000 } } as const;

const fmt = (n: number, digits = 0) => round(n, digits).toLocaleString("en-US");

/** Log entries, then counters and daily rows exactly as the writers would have left them. */
export async function generateLedger(sql: postgres.Sql, logRows: number): Promise<void> {
  await seedFleet(sql, 100, 10_000);
  // The load needs no index or key (ledger_verify scans): dropped, so the load is a plain append.
  const constraints = await sql<{ name: string }[]>`
    select conname as name from pg_constraint where conrelid = 'tenant_usage_logs'::regclass and contype in ('u', 'f', 'c')`;
  for (const c of constraints) await sql.unsafe(`alter table tenant_usage_logs drop constraint "${c.name}"`);
  const indexes = await sql<{ name: string }[]>`
    select indexname as name from pg_indexes where tablename = 'tenant_usage_logs'
      and indexname not in (select conname from pg_constraint where conrelid = 'tenant_usage_logs'::regclass)`;
  for (const i of indexes) await sql.unsafe(`drop index "${i.name}"`);
  await sql`
    with fleet as (select array_agg(m.id order by m.phone_number) as ids, array_agg(m.tenant_id order by m.phone_number) as tenants,
        array_agg(t.billing_time_zone order by m.phone_number) as zones
      from tenant_phone_mappings m join tenants t on t.id = m.tenant_id)
    insert into tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, entry_kind, quantity, unit, voice_seconds, sms_segments,
      direction, channel, provider_sid, idempotency_key, event_at, billing_period_start, actor, reason, metadata)
    select f.tenants[k], f.ids[k], kind,
      case when adj then 'adjustment' else 'usage' end,
      case when adj then (case when i % 2 = 0 then -1 else 2 end) when kind = 'voice' then 1 + (i % 900) / 60 else 1 end,
      case when kind = 'voice' then 'minutes' else 'messages' end,
      case when kind = 'voice' and not adj then i % 900 end,
      case when kind = 'sms' and not adj then 1 + i % 3 end,
      case when adj then 'inbound' when i % 3 = 0 then 'outbound' else 'inbound' end,
      case when kind = 'voice' then null when adj then 'sms' when i % 10 = 1 then 'mms' when i % 10 = 3 then 'whatsapp' else 'sms' end,
      case when not adj then sid end, case when adj then 'adjustment:' || sid else kind || ':' || sid end,
      at, date_trunc('month', at at time zone f.zones[k])::date,
      case when adj then 'bench' end, case when adj then 'bench correction' end, '{}'::jsonb
    from fleet f, generate_series(1, ${logRows}::int) i
    cross join lateral (select (1 + (i::bigint * 7919) % 10000)::int as k, i % 1000 = 999 as adj,
      case when i % 2 = 0 then 'voice' else 'sms' end as kind,
      lpad(to_hex(i), 32, '0') as sid,
      timestamptz '2025-01-01T08:00:00Z' + (i::float8 / ${logRows}::int) * interval '364 days' as at) x`;
  // Counters: each mapping and period that has entries, summed as log_usage_batch (db/functions/
  // 40-counting.sql) and post_usage_adjustment (70-adjustments.sql) add them.
  await sql`
    insert into tenant_usage_counters (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
      voice_minutes_used, voice_calls_count, voice_seconds_used, voice_inbound_minutes, voice_outbound_minutes,
      sms_count_used, sms_sent_count, sms_received_count, sms_segments_used, sms_inbound_segments, sms_outbound_segments,
      mms_sent_count, mms_received_count, whatsapp_sent_count, whatsapp_received_count)
    select tenant_id, phone_mapping_id, billing_period_start, (billing_period_start + interval '1 month' - interval '1 day')::date,
      coalesce(sum(quantity) filter (where usage_type = 'voice'), 0),
      count(*) filter (where usage_type = 'voice' and entry_kind = 'usage'),
      coalesce(sum(voice_seconds), 0),
      coalesce(sum(quantity) filter (where usage_type = 'voice' and direction = 'inbound'), 0),
      coalesce(sum(quantity) filter (where usage_type = 'voice' and direction = 'outbound'), 0),
      coalesce(sum(quantity) filter (where channel = 'sms'), 0),
      coalesce(sum(quantity) filter (where channel = 'sms' and direction = 'outbound'), 0),
      coalesce(sum(quantity) filter (where channel = 'sms' and direction = 'inbound'), 0),
      coalesce(sum(sms_segments) filter (where channel = 'sms'), 0),
      coalesce(sum(sms_segments) filter (where channel = 'sms' and direction = 'inbound'), 0),
      coalesce(sum(sms_segments) filter (where channel = 'sms' and direction = 'outbound'), 0),
      count(*) filter (where channel = 'mms' and direction = 'outbound'),
      count(*) filter (where channel = 'mms' and direction = 'inbound'),
      count(*) filter (where channel = 'whatsapp' and direction = 'outbound'),
      count(*) filter (where channel = 'whatsapp' and direction = 'inbound')
    from tenant_usage_logs group by 1, 2, 3`;
  await sql`
    insert into tenant_usage_daily (tenant_id, billing_period_start, day, voice_minutes, voice_calls, messages,
      voice_seconds_used, voice_inbound_minutes, voice_outbound_minutes, sms_count_used, sms_sent_count, sms_received_count,
      sms_segments_used, sms_inbound_segments, sms_outbound_segments, mms_sent_count, mms_received_count,
      whatsapp_sent_count, whatsapp_received_count)
    select l.tenant_id, l.billing_period_start, (l.event_at at time zone t.billing_time_zone)::date,
      coalesce(sum(l.quantity) filter (where l.usage_type = 'voice'), 0), count(*) filter (where l.usage_type = 'voice'),
      count(*) filter (where l.usage_type = 'sms'),
      coalesce(sum(l.voice_seconds), 0),
      coalesce(sum(l.quantity) filter (where l.usage_type = 'voice' and l.direction = 'inbound'), 0),
      coalesce(sum(l.quantity) filter (where l.usage_type = 'voice' and l.direction = 'outbound'), 0),
      count(*) filter (where l.channel = 'sms'),
      count(*) filter (where l.channel = 'sms' and l.direction = 'outbound'),
      count(*) filter (where l.channel = 'sms' and l.direction = 'inbound'),
      coalesce(sum(l.sms_segments) filter (where l.channel = 'sms'), 0),
      coalesce(sum(l.sms_segments) filter (where l.channel = 'sms' and l.direction = 'inbound'), 0),
      coalesce(sum(l.sms_segments) filter (where l.channel = 'sms' and l.direction = 'outbound'), 0),
      count(*) filter (where l.channel = 'mms' and l.direction = 'outbound'),
      count(*) filter (where l.channel = 'mms' and l.direction = 'inbound'),
      count(*) filter (where l.channel = 'whatsapp' and l.direction = 'outbound'),
      count(*) filter (where l.channel = 'whatsapp' and l.direction = 'inbound')
    from tenant_usage_logs l join tenants t on t.id = l.tenant_id where l.entry_kind = 'usage' group by 1, 2, 3`;
  await sql`vacuum analyze tenant_usage_logs`;
  await sql`analyze tenant_usage_counters`;
  await sql`analyze tenant_usage_daily`;
}

function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

export async function ledgerVerifyScenario(o: LedgerVerifyOptions): Promise<void> {
  const bench = await createBenchDatabase("verify");
  try {
    const t0 = performance.now();
    await generateLedger(bench.sql, o.logRows);
    const [{ counters, daily } = { counters: 0, daily: 0 }] = await bench.sql<{ counters: number; daily: number }[]>`
      select (select count(*)::int from tenant_usage_counters) as counters, (select count(*)::int from tenant_usage_daily) as daily`;
    o.results.note(`ledger:verify: generated ${fmt(o.logRows)} log entries, ${fmt(counters)} counters, ${fmt(daily)} daily rows in ${fmt((performance.now() - t0) / 1000)} s`);

    const open = await bench.open({ max: 2 });
    try {
      for (const [label, period] of [["every period", null], ["one period (2025-06)", "2025-06-01"]] as const) {
        const times: number[] = [];
        // Growth over what this process held before (the other scenarios of a run leave their own).
        const before = rssMb();
        let peak = before;
        let checked = 0;
        for (let r = 0; r < o.runs; r++) {
          const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
          const started = performance.now();
          const result = await verifyLedger(open.db, period, () => {
            throw new Error("a consistent ledger reported a mismatch");
          });
          times.push(performance.now() - started);
          clearInterval(sampler);
          checked = result.logEntriesChecked;
        }
        const seconds = median(times) / 1000;
        o.results.add({
          scenario: "ledger:verify",
          measure: `${label}: ${fmt(checked)} log entries (1 in 1,000 an adjustment), ${fmt(counters)} counters, ${fmt(daily)} daily rows, no mismatch`,
          value: seconds,
          unit: "s",
          detail: `${fmt(checked / seconds)} entries/s`,
        });
        o.results.add({
          scenario: "ledger:verify",
          measure: `${label}: the check's memory growth (peak RSS over the ${fmt(before)} MB before)`,
          value: peak - before,
          unit: "MB",
          ...(period === null ? { target: "ledger-verify.memory" as const } : {}),
        });
      }

      // Changed behind the ledger's back: exactly these are reported.
      await bench.sql`update tenant_usage_counters set voice_minutes_used = voice_minutes_used + 1
        where id in (select id from tenant_usage_counters order by id limit 3)`;
      await bench.sql`update tenant_usage_daily set messages = messages + 1
        where (tenant_id, day) in (select tenant_id, day from tenant_usage_daily order by tenant_id, day limit 2)`;
      const found: LedgerMismatch[] = [];
      const started = performance.now();
      await verifyLedger(open.db, null, (m) => found.push(m));
      const kinds = found.map((m) => `${m.check}:${m.column}`).sort();
      const want = ["counter:voice_minutes_used", "counter:voice_minutes_used", "counter:voice_minutes_used", "daily:messages", "daily:messages"];
      if (JSON.stringify(kinds) !== JSON.stringify(want)) throw new Error(`ledger:verify found ${JSON.stringify(kinds)}, want ${JSON.stringify(want)}`);
      o.results.add({
        scenario: "ledger:verify",
        measure: "every period, 3 counters and 2 daily rows changed behind its back: exactly those 5 reported",
        value: (performance.now() - started) / 1000,
        unit: "s",
      });
    } finally {
      await open.close();
    }
  } finally {
    await bench.drop();
  }
}

if (process.argv[1]?.endsWith("scenario-ledger-verify.ts")) {
  const value = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  // Alone, figures and verdicts are printed only (npm run bench writes them to bench/results/).
  const options = { logRows: Number(value("rows") ?? LEDGER_VERIFY_SIZES.full.logRows), runs: Number(value("runs") ?? 3), results: new Results("full") };
  console.log(`ledger:verify benchmark: ${fmt(options.logRows)} log entries, ${options.runs} runs`);
  ledgerVerifyScenario(options).then(
    () => process.exit(0),
    async (err: unknown) => {
      console.error(err);
      await dropAllBenchDatabases();
      process.exit(1);
    },
  );
}
