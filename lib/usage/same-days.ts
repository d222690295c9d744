// Like with like: while a period is in progress (the tenant's current one, in its time zone), its
// figures so far are compared with the same days of the previous period (days 1 to today's day of the
// month), not with the whole previous month (which made every figure "-100 %" on the 1st). The daily
// rollup (tenant_usage_daily) holds every counter per tenant and day, so every figure is compared.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { billingPeriodFromMonth, previousBillingPeriod } from "@/lib/billing/periods";
import { COUNTER_COLUMNS } from "./counter-columns";
import { COUNTER_FIELDS, type Counters } from "./report";

/** The daily rollup's column of each counter column (two keep the daily table's shorter names). */
const DAILY_COLUMN: Partial<Record<(typeof COUNTER_COLUMNS)[number], string>> = {
  voice_minutes_used: "voice_minutes",
  voice_calls_count: "voice_calls",
};
const dailySums = sql.raw(
  COUNTER_COLUMNS.map((c, i) => `coalesce(sum(d.${DAILY_COLUMN[c] ?? c}), 0)::text as c${i}`).join(", "),
);

/**
 * For each tenant whose current period is `period` (others are not returned: their period is over, and
 * the whole previous period is the right comparison): the previous period's counters up to the same day.
 */
export async function previousPeriodToSameDay(db: Db, input: { period: string; tenantIds?: string[] }): Promise<Map<string, Counters>> {
  const current = billingPeriodFromMonth(input.period);
  const previous = previousBillingPeriod(current);
  const rows = await queryRows<Record<string, string>>(
    db,
    sql`select t.id as tenant_id, ${dailySums}
      from tenants t
      left join tenant_usage_daily d on d.tenant_id = t.id and d.billing_period_start = ${previous.start}::date
        and extract(day from d.day) <= extract(day from (now() at time zone t.billing_time_zone))
      where billing_period_start_of(t.billing_time_zone, now()) = ${current.start}::date
        ${input.tenantIds ? sql`and t.id in (${sql.join(input.tenantIds.map((id) => sql`${id}`), sql`, `)})` : sql``}
      group by t.id`,
  );
  return new Map(
    rows.map((r) => [r.tenant_id!, Object.fromEntries(COUNTER_FIELDS.map((f, i) => [f, Number(r[`c${i}`])])) as Counters]),
  );
}
