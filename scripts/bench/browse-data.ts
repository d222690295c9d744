// The large database of the reading scenarios, made set-based in SQL: 100 tenants, 10,000 numbers,
// their counters over the 12 months of 2025, and millions of audit-log rows (1,000,000 of them in
// June 2025, the exported period). The log table's indexes and constraints are dropped for the load
// and rebuilt afterwards with their exact definitions (the usual bulk-load path: much faster than
// maintaining six indexes and two foreign-key checks row by row).
import type postgres from "postgres";
import { seedFleet } from "./fleet";

export interface BrowseSizes {
  tenants: number;
  numbers: number;
  logRows: number;
  /** Rows of the log in the exported period (June 2025). */
  exportRows: number;
}

export const FULL_SIZES: BrowseSizes = { tenants: 100, numbers: 10_000, logRows: 5_000_000, exportRows: 1_000_000 };
export const SMOKE_SIZES: BrowseSizes = { tenants: 10, numbers: 200, logRows: 20_000, exportRows: 4_000 };
export const EXPORT_PERIOD = "2025-06-01";

async function withoutLogIndexes(sql: postgres.Sql, load: () => Promise<void>): Promise<void> {
  const constraints = await sql<{ name: string; def: string }[]>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = 'tenant_usage_logs'::regclass and contype in ('p', 'u', 'f') order by contype desc`;
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes
    where schemaname = 'public' and tablename = 'tenant_usage_logs'
      and indexname not in (select conname from pg_constraint where conrelid = 'tenant_usage_logs'::regclass)`;
  for (const i of indexes) await sql.unsafe(`drop index "${i.name}"`);
  for (const c of constraints) await sql.unsafe(`alter table tenant_usage_logs drop constraint "${c.name}"`);
  await load();
  await sql.unsafe(`set maintenance_work_mem = '256MB'`);
  for (const c of [...constraints].reverse()) await sql.unsafe(`alter table tenant_usage_logs add constraint "${c.name}" ${c.def}`);
  for (const i of indexes) await sql.unsafe(i.def);
}

export async function generateBrowseData(sql: postgres.Sql, s: BrowseSizes): Promise<void> {
  await seedFleet(sql, s.tenants, s.numbers);
  // Counters: every number, every month of 2025.
  await sql`
    insert into tenant_usage_counters (tenant_id, phone_mapping_id, billing_period_start, billing_period_end,
      voice_minutes_used, voice_calls_count, voice_seconds_used, sms_count_used, sms_sent_count, sms_received_count, sms_segments_used)
    select m.tenant_id, m.id, p::date, (p + interval '1 month' - interval '1 day')::date,
      (h % 500), (h % 200), (h % 500) * 55, (h % 300), (h % 300) / 2, (h % 300) - (h % 300) / 2, (h % 300) + (h % 7)
    from tenant_phone_mappings m
    cross join generate_series(timestamp '2025-01-01', timestamp '2025-12-01', interval '1 month') p
    cross join lateral (select abs(hashtext(m.id::text || p::text)::bigint)::int as h) x`;
  // One connection for the whole load: session settings and the index rebuild share it.
  await sql.begin(async (tx) => {
    await withoutLogIndexes(tx as unknown as postgres.Sql, async () => {
      await tx`
        with fleet as (
          select array_agg(id order by phone_number) as ids, array_agg(tenant_id order by phone_number) as tenants from tenant_phone_mappings
        )
        insert into tenant_usage_logs (tenant_id, phone_mapping_id, usage_type, quantity, unit, voice_seconds, sms_segments,
          direction, provider_sid, idempotency_key, event_at, billing_period_start, metadata, logged_at)
        select f.tenants[k], f.ids[k],
          case when i % 2 = 0 then 'voice' else 'sms' end,
          case when i % 2 = 0 then 1 + i % 15 else 1 end,
          case when i % 2 = 0 then 'minutes' else 'messages' end,
          case when i % 2 = 0 then (i % 15) * 60 + 7 end,
          case when i % 2 = 1 then 1 + i % 3 end,
          case when i % 3 = 0 then 'outbound' else 'inbound' end,
          sid, case when i % 2 = 0 then 'voice:' || sid else 'sms:' || case when i % 3 = 0 then 'outbound' else 'inbound' end || ':' || sid end,
          at - interval '5 seconds', date_trunc('month', at)::date,
          jsonb_build_object('call_status', 'completed', 'bench', true),
          at
        from fleet f, generate_series(1, ${s.logRows}::int) i
        cross join lateral (select (1 + (i::bigint * 7919) % ${s.numbers}::int)::int as k,
          (case when i % 2 = 0 then 'CA' else 'SM' end) || lpad(to_hex(i), 32, '0') as sid,
          -- The first exportRows rows fall in June 2025; the others spread over the other eleven months.
          case when i <= ${s.exportRows}::int
            then timestamptz '2025-06-01T00:00:00Z' + (i::float8 / ${s.exportRows}::int) * interval '29 days 23 hours'
            else timestamptz '2025-01-01T00:00:00Z' + ((i - ${s.exportRows}::int)::float8 / greatest(1, ${s.logRows - s.exportRows}::int)) * interval '364 days'
          end as at0) x
        cross join lateral (select case when i > ${s.exportRows}::int and x.at0 >= timestamptz '2025-06-01' and x.at0 < timestamptz '2025-07-01'
          then x.at0 + interval '30 days' else x.at0 end as at) y`;
    });
  });
  await sql`analyze tenant_usage_logs`;
  await sql`analyze tenant_usage_counters`;
  await sql`analyze tenant_phone_mappings`;
  await sql`analyze tenants`;
}
