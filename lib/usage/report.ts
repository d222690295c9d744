// The monthly report: counters of one billing period per tenant (with the previous period beside it
// for the change), per number for one tenant, and the period's daily usage for the chart. A tenant's
// period is its own calendar month in its billing time zone, so every counter of month YYYY-MM has
// billing_period_start = YYYY-MM-01.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { billingPeriodFromMonth, previousBillingPeriod } from "@/lib/billing/periods";
import { parseInput, periodSchema } from "@/lib/validation";
import { COUNTER_COLUMNS } from "./counter-columns";

type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
const camel = <S extends string>(column: S) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) as CamelCase<S>;

export const COUNTER_FIELDS = COUNTER_COLUMNS.map(camel);
export type Counters = Record<CamelCase<(typeof COUNTER_COLUMNS)[number]>, number>;

function countersOf(row: Record<string, unknown>, prefix = ""): Counters {
  const out = {} as Counters;
  for (const field of COUNTER_FIELDS) {
    const key = prefix ? `${prefix}${field[0]!.toUpperCase()}${field.slice(1)}` : field;
    out[field] = Number(row[key] ?? 0);
  }
  return out;
}

export interface TenantUsage {
  tenantId: string;
  tenantName: string;
  numbers: number;
  current: Counters;
  previous: Counters;
}

export interface UsageReport {
  period: string;
  periodStart: string;
  periodEnd: string;
  previousPeriod: string;
  tenants: TenantUsage[];
  totals: Counters;
}

/** [column, its field with the first letter capitalised] for prefixed aliases ("curVoiceMinutesUsed"). */
const COLS = COUNTER_COLUMNS.map((col) => [col, camel(col).replace(/^./, (c) => c.toUpperCase())] as const);

function sums(prefix: string, periodCondition: string) {
  return sql.raw(COLS.map(([col, name]) => `coalesce(sum(c.${col}) FILTER (WHERE ${periodCondition}), 0)::bigint::text as "${prefix}${name}"`).join(", "));
}

/** Per-tenant totals of a period and of the one before it; tenants without counters in either are left out. */
export async function usageReport(db: Db, input: { period: string; tenantId?: string }): Promise<UsageReport> {
  const period = parseInput(periodSchema, input.period);
  const current = billingPeriodFromMonth(period);
  const previous = previousBillingPeriod(current);
  const rows = await queryRows<Record<string, string>>(
    db,
    sql`select c.tenant_id as "tenantId", t.name as "tenantName",
        count(*) FILTER (WHERE c.billing_period_start = ${current.start}::date)::int as "numbers",
        ${sums("cur", `c.billing_period_start = '${current.start}'::date`)},
        ${sums("prev", `c.billing_period_start = '${previous.start}'::date`)}
      from tenant_usage_counters c join tenants t on t.id = c.tenant_id
      where c.billing_period_start in (${current.start}::date, ${previous.start}::date)
        ${input.tenantId ? sql`and c.tenant_id = ${input.tenantId}` : sql``}
      group by c.tenant_id, t.name
      order by c.tenant_id`,
  );
  const tenants = rows.map((r) => ({
    tenantId: r.tenantId!,
    tenantName: r.tenantName!,
    numbers: Number(r.numbers),
    current: countersOf(r, "cur"),
    previous: countersOf(r, "prev"),
  }));
  const totals = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, tenants.reduce((n, t) => n + t.current[f], 0)])) as Counters;
  return { period, periodStart: current.start, periodEnd: current.end, previousPeriod: previous.start.slice(0, 7), tenants, totals };
}

export interface NumberUsage extends Counters {
  mappingId: string;
  phoneNumber: string;
  twilioNumberSid: string;
  numberType: string;
  active: boolean;
}

/** One tenant's numbers with their counters of the period (numbers without a counter show zeros). */
export async function usageByNumber(db: Db, input: { period: string; tenantId: string }): Promise<NumberUsage[]> {
  const period = parseInput(periodSchema, input.period);
  const { start } = billingPeriodFromMonth(period);
  const rows = await queryRows<Record<string, string | boolean>>(
    db,
    sql`select m.id as "mappingId", m.phone_number as "phoneNumber", m.twilio_number_sid as "twilioNumberSid",
        m.number_type as "numberType", (m.deprovisioned_at is null) as "active",
        ${sql.raw(COLS.map(([col, name]) => `coalesce(c.${col}, 0)::text as "${name[0]!.toLowerCase()}${name.slice(1)}"`).join(", "))}
      from tenant_phone_mappings m
      left join tenant_usage_counters c on c.phone_mapping_id = m.id and c.tenant_id = m.tenant_id and c.billing_period_start = ${start}::date
      where m.tenant_id = ${input.tenantId} and (c.id is not null or m.deprovisioned_at is null)
      order by m.phone_number, m.id
      limit 5000`,
  );
  return rows.map((r) => ({
    mappingId: String(r.mappingId),
    phoneNumber: String(r.phoneNumber),
    twilioNumberSid: String(r.twilioNumberSid),
    numberType: String(r.numberType),
    active: r.active === true,
    ...countersOf(r),
  }));
}

export interface DailyUsage {
  day: string;
  voiceMinutes: number;
  messages: number;
}

/**
 * Usage of each day of the period (in each tenant's time zone), zero-filled: voice minutes and
 * messages the ledger counted, from the daily table log_usage_batch keeps (adjustments excluded: they
 * belong to the period, not a day).
 */
export async function dailyUsage(db: Db, input: { period: string; tenantId?: string }): Promise<DailyUsage[]> {
  const period = parseInput(periodSchema, input.period);
  const { start, end } = billingPeriodFromMonth(period);
  const rows = await queryRows<{ day: string; voice: string; sms: string }>(
    db,
    sql`with days as (select generate_series(${start}::date, ${end}::date, interval '1 day')::date as day),
      usage as (
        select d.day, sum(d.voice_minutes) as voice, sum(d.messages) as sms
        from tenant_usage_daily d
        where d.billing_period_start = ${start}::date ${input.tenantId ? sql`and d.tenant_id = ${input.tenantId}` : sql``}
        group by d.day)
      select to_char(days.day, 'YYYY-MM-DD') as day, coalesce(u.voice, 0)::text as voice, coalesce(u.sms, 0)::text as sms
      from days left join usage u on u.day = days.day order by days.day`,
  );
  return rows.map((r) => ({ day: r.day, voiceMinutes: Number(r.voice), messages: Number(r.sms) }));
}
