// What the ops /ops/usage page shows for its URL (?period=YYYY-MM&tenant=<expanded tenant>): every
// tenant's counters of the period beside the previous period's, the totals of both, the daily chart
// (all tenants or the expanded one) and the expanded tenant's numbers with their own change.
import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { billingPeriodOf } from "@/lib/billing/periods";
import { asBillingError } from "@/lib/errors";
import { COUNTER_FIELDS, dailyUsage, usageReport, type Counters, type DailyUsage, type UsageReport } from "@/lib/usage/report";
import { parseInput, periodSchema, tenantIdSchema } from "@/lib/validation";
import { previousPeriodToSameDay } from "@/lib/usage/same-days";
import { usageByNumberWithPrevious, type TenantNumberUsage } from "./tenant-usage";

export interface OpsUsageView {
  period: string;
  report: UsageReport;
  previousTotals: Counters;
  days: DailyUsage[];
  /** The tenant whose numbers are shown, if any. */
  expanded: string | undefined;
  numbers: TenantNumberUsage[] | null;
}

const opsUsageParamsSchema = z.object({
  period: periodSchema.optional(),
  tenant: z.preprocess((v) => (v === "" ? undefined : v), tenantIdSchema.optional()),
});

export async function opsUsageView(db: Db, params: Record<string, string | undefined>): Promise<OpsUsageView> {
  const parsed = parseInput(opsUsageParamsSchema, { period: params.period, tenant: params.tenant });
  const period = parsed.period ?? billingPeriodOf(new Date()).month;
  const expanded = parsed.tenant;
  const [report, days, numbers, sameDays] = await Promise.all([
    usageReport(db, { period }),
    dailyUsage(db, { period, tenantId: expanded }),
    expanded ? usageByNumberWithPrevious(db, { period, tenantId: expanded }) : Promise.resolve(null),
    previousPeriodToSameDay(db, { period }),
  ]);
  // A period in progress is compared with the same days of the previous one (lib/usage/same-days.ts).
  for (const t of report.tenants) t.previous = sameDays.get(t.tenantId) ?? t.previous;
  if (expanded && sameDays.has(expanded)) for (const n of numbers ?? []) delete (n as { previous?: Counters }).previous;
  const previousTotals = Object.fromEntries(COUNTER_FIELDS.map((f) => [f, report.tenants.reduce((n, t) => n + t.previous[f], 0)])) as Counters;
  return { period, report, previousTotals, days, expanded, numbers };
}

/** The view, or the sentence saying what is wrong with the URL (for the page to show). */
export async function opsUsageViewOrError(
  db: Db,
  params: Record<string, string | undefined>,
): Promise<{ view: OpsUsageView; error: null } | { view: null; error: string }> {
  try {
    return { view: await opsUsageView(db, params), error: null };
  } catch (err) {
    const known = asBillingError(err);
    if (!known || known.code !== "invalid_input") throw err;
    return { view: null, error: known.message };
  }
}
