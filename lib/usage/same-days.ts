// Like with like: while a period is in progress (the tenant's current one, in its time zone), its
// figures so far are compared with the same days of the previous period (days 1 to today's day of the
// month), not with the whole previous month (which made every figure "-100 %" on the 1st). The daily
// rollup (tenant_usage_daily) holds voice minutes and calls per day; the other counters have no daily
// figure, so while the period is in progress they show no change (NOT_COMPARABLE) rather than a wrong one.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { billingPeriodFromMonth, previousBillingPeriod } from "@/lib/billing/periods";
import { COUNTER_FIELDS, type Counters } from "./report";

/** A previous-period figure with no like-for-like value: the screens show "—". */
export const NOT_COMPARABLE = Number.NaN;

/**
 * For each tenant whose current period is `period` (others are not returned: their period is over, and
 * the whole previous period is the right comparison): the previous period's counters up to the same day.
 */
export async function previousPeriodToSameDay(db: Db, input: { period: string; tenantIds?: string[] }): Promise<Map<string, Counters>> {
  const current = billingPeriodFromMonth(input.period);
  const previous = previousBillingPeriod(current);
  const rows = await queryRows<{ tenant_id: string; voice_minutes: string; voice_calls: string }>(
    db,
    sql`select t.id as tenant_id, coalesce(sum(d.voice_minutes), 0)::text as voice_minutes, coalesce(sum(d.voice_calls), 0)::text as voice_calls
      from tenants t
      left join tenant_usage_daily d on d.tenant_id = t.id and d.billing_period_start = ${previous.start}::date
        and extract(day from d.day) <= extract(day from (now() at time zone t.billing_time_zone))
      where billing_period_start_of(t.billing_time_zone, now()) = ${current.start}::date
        ${input.tenantIds ? sql`and t.id in (${sql.join(input.tenantIds.map((id) => sql`${id}`), sql`, `)})` : sql``}
      group by t.id`,
  );
  return new Map(
    rows.map((r) => {
      const counters = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, NOT_COMPARABLE])) as Counters;
      counters.voiceMinutesUsed = Number(r.voice_minutes);
      counters.voiceCallsCount = Number(r.voice_calls);
      return [r.tenant_id, counters];
    }),
  );
}
