import type { Metadata } from "next";
import { eq } from "drizzle-orm";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { tenants } from "@/db/schema";
import { firstValues } from "@/components/data-table/url";
import { AlertsPanel } from "@/components/usage/alerts-panel";
import { Change, COUNTER_LABELS, fmt } from "@/components/usage/counters";
import { PeriodPicker } from "@/components/usage/period-picker";
import { UsageChart } from "@/components/usage/usage-chart";
import { requireTenantPage } from "@/lib/auth/session";
import { listAlerts } from "@/lib/billing/alerts";
import { billingPeriodOf } from "@/lib/billing/periods";
import { dailyUsage, usageByNumber, usageReport } from "@/lib/usage/report";
import { periodSchema } from "@/lib/validation";

export const metadata: Metadata = { title: "Your usage" };

export default async function TenantUsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // The tenant comes from the session only, never from the URL.
  const user = await requireTenantPage();
  const tenantId = user.tenantId;
  const db = await getDb();
  const [tenant] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  const params = firstValues(await searchParams);
  // Naming another tenant in the URL gets 404, as for a tenant that does not exist.
  for (const key of ["tenant", "tenant_id"]) if (params[key] && params[key] !== tenantId) notFound();
  const current = billingPeriodOf(new Date(), tenant?.billingTimeZone ?? "UTC").month;
  const parsed = periodSchema.safeParse(params.period ?? current);
  if (!parsed.success) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold">Your usage</h1>
        <PeriodPicker action="/usage" period={current} />
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {parsed.error.issues[0]!.message}
        </p>
      </div>
    );
  }
  const period = parsed.data;
  const [report, numbers, days, alerts] = await Promise.all([
    usageReport(db, { period, tenantId }),
    usageByNumber(db, { period, tenantId }),
    dailyUsage(db, { period, tenantId }),
    listAlerts(db, { tenantId, limit: 10 }),
  ]);
  const mine = report.tenants[0];
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">
          {tenant?.name ?? tenantId}: usage for {period}
        </h1>
        <PeriodPicker action="/usage" period={period} />
      </div>
      <section aria-label="Totals" className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {COUNTER_LABELS.map(([key, label]) => (
          <div key={key} className="rounded-lg border border-slate-200 p-3">
            <div className="text-sm text-slate-600">{label}</div>
            <div className="text-xl font-semibold tabular-nums" data-total={key}>
              {fmt(mine?.current[key] ?? 0)}
            </div>
            <Change now={mine?.current[key] ?? 0} before={mine?.previous[key] ?? 0} />
          </div>
        ))}
      </section>
      <p>
        <a className="text-blue-700 hover:underline" href={`/api/usage/export?period=${period}`}>
          Download {period} as CSV
        </a>
      </p>
      <table className="w-full text-left text-sm tabular-nums">
        <caption className="sr-only">Your numbers in {period}</caption>
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            <th className="px-3 py-2">Number</th>
            <th className="px-3 py-2">Type</th>
            {COUNTER_LABELS.map(([, label]) => (
              <th key={label} className="px-3 py-2 text-right">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {numbers.length === 0 && (
            <tr>
              <td colSpan={9} className="px-3 py-6 text-center text-slate-500">
                No numbers with usage in {period}.
              </td>
            </tr>
          )}
          {numbers.map((n) => (
            <tr key={n.mappingId} className="border-t border-slate-100">
              <td className="px-3 py-2 font-mono">{n.phoneNumber}</td>
              <td className="px-3 py-2">{n.numberType}</td>
              {COUNTER_LABELS.map(([key, label]) => (
                <td key={label} className="px-3 py-2 text-right">
                  {fmt(n[key])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <UsageChart days={days} title={`Daily usage, ${period}`} />
      <AlertsPanel alerts={alerts} showTenant={false} />
    </div>
  );
}
