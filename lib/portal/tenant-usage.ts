// What the tenant portal's /usage page shows, for the tenant of the session only: the period's totals
// beside the previous period's, every number with its counters (and its previous-period counters for the
// change), the daily chart and the latest alerts. Every query takes the tenant id and is bounded.
import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tenants } from "@/db/schema";
import { listAlerts, type UsageAlert } from "@/lib/billing/alerts";
import { billingPeriodFromMonth, billingPeriodOf, previousBillingPeriod } from "@/lib/billing/periods";
import { asBillingError, BillingError } from "@/lib/errors";
import { COUNTER_FIELDS, dailyUsage, usageByNumber, usageReport, type Counters, type DailyUsage, type NumberUsage } from "@/lib/usage/report";
import { previousPeriodToSameDay } from "@/lib/usage/same-days";
import { parseInput, periodSchema } from "@/lib/validation";

export interface TenantNumberUsage extends NumberUsage {
  /** Absent while the period is in progress: no per-number figure for the same days of the previous one. */
  previous?: Counters;
}

export interface TenantUsageView {
  tenantId: string;
  tenantName: string;
  /** The tenant's current billing period (its own time zone), YYYY-MM. */
  currentPeriod: string;
  period: string;
  previousPeriod: string;
  totals: Counters;
  previousTotals: Counters;
  /** Whether previousTotals are the previous period's same days (the period is in progress). */
  previousToSameDay: boolean;
  numbers: TenantNumberUsage[];
  days: DailyUsage[];
  alerts: UsageAlert[];
}

const zeros = (): Counters => Object.fromEntries(COUNTER_FIELDS.map((f) => [f, 0])) as Counters;
const countersOf = (n: NumberUsage): Counters => Object.fromEntries(COUNTER_FIELDS.map((f) => [f, n[f]])) as Counters;

/** The tenant's current period in its billing time zone (404 for a tenant that does not exist). */
export async function tenantCurrentPeriod(db: Db, tenantId: string): Promise<{ tenantName: string; currentPeriod: string }> {
  const [tenant] = await db.select({ name: tenants.name, timeZone: tenants.billingTimeZone }).from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) throw new BillingError("not_found", `Unknown tenant "${tenantId}"`);
  return { tenantName: tenant.name, currentPeriod: billingPeriodOf(new Date(), tenant.timeZone).month };
}

/** One tenant's numbers with their counters of a period and of the period before (for the change). */
export async function usageByNumberWithPrevious(db: Db, input: { tenantId: string; period: string }): Promise<TenantNumberUsage[]> {
  const period = parseInput(periodSchema, input.period);
  const previousPeriod = previousBillingPeriod(billingPeriodFromMonth(period)).month;
  const [numbers, before] = await Promise.all([
    usageByNumber(db, { period, tenantId: input.tenantId }),
    usageByNumber(db, { period: previousPeriod, tenantId: input.tenantId }),
  ]);
  const previousOf = new Map(before.map((n) => [n.mappingId, countersOf(n)]));
  return numbers.map((n) => ({ ...n, previous: previousOf.get(n.mappingId) ?? zeros() }));
}

/** One tenant's usage of a period (default: its current one); a malformed period is a 400. */
export async function tenantUsageView(db: Db, input: { tenantId: string; period?: unknown }): Promise<TenantUsageView> {
  const { tenantName, currentPeriod } = await tenantCurrentPeriod(db, input.tenantId);
  const period = parseInput(periodSchema, input.period ?? currentPeriod);
  const previousPeriod = previousBillingPeriod(billingPeriodFromMonth(period)).month;
  const tenantId = input.tenantId;
  const [report, numbers, days, alerts, sameDays] = await Promise.all([
    usageReport(db, { period, tenantId }),
    usageByNumberWithPrevious(db, { period, tenantId }),
    dailyUsage(db, { period, tenantId }),
    listAlerts(db, { tenantId, limit: 10 }),
    previousPeriodToSameDay(db, { period, tenantIds: [tenantId] }),
  ]);
  const mine = report.tenants.find((t) => t.tenantId === tenantId);
  // A period in progress is compared with the same days of the previous one (lib/usage/same-days.ts).
  const toSameDay = sameDays.get(tenantId);
  if (toSameDay) for (const n of numbers) delete n.previous;
  return {
    tenantId,
    tenantName,
    currentPeriod,
    period,
    previousPeriod,
    totals: mine?.current ?? zeros(),
    previousTotals: toSameDay ?? mine?.previous ?? zeros(),
    previousToSameDay: toSameDay !== undefined,
    numbers,
    days,
    alerts,
  };
}

/** The view, or the sentence saying what is wrong with the URL's period (for the page to show). */
export async function tenantUsageViewOrError(
  db: Db,
  input: { tenantId: string; period?: unknown },
): Promise<{ view: TenantUsageView; error: null } | { view: null; error: string; currentPeriod: string }> {
  try {
    return { view: await tenantUsageView(db, input), error: null };
  } catch (err) {
    const known = asBillingError(err);
    if (!known || known.code !== "invalid_input") throw err;
    const { currentPeriod } = await tenantCurrentPeriod(db, input.tenantId);
    return { view: null, error: known.message, currentPeriod };
  }
}
