import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { firstValues } from "@/components/data-table/url";
import { TenantInvoices } from "@/components/pricing/tenant-invoices";
import { AlertsPanel } from "@/components/usage/alerts-panel";
import { Change, COUNTER_LABELS, fmt } from "@/components/usage/counters";
import { NumberUsageTable } from "@/components/usage/number-usage-table";
import { PeriodPicker } from "@/components/usage/period-picker";
import { UsageChart } from "@/components/usage/usage-chart";
import { requireTenantPage } from "@/lib/auth/session";
import { tenantUsageViewOrError } from "@/lib/portal/tenant-usage";
import { tenantInvoicesView } from "@/lib/pricing/views";

export const metadata: Metadata = { title: "Your usage" };

export default async function TenantUsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // The tenant comes from the session only, never from the URL.
  const { tenantId } = await requireTenantPage();
  const params = firstValues(await searchParams);
  // Naming another tenant in the URL gets 404, as for a tenant that does not exist.
  for (const key of ["tenant", "tenant_id"]) if (params[key] && params[key] !== tenantId) notFound();
  const result = await tenantUsageViewOrError(await getDb(), { tenantId, period: params.period });
  if (result.error !== null) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold">Your usage</h1>
        <PeriodPicker action="/usage" period={result.currentPeriod} latest={result.currentPeriod} />
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {result.error}
        </p>
      </div>
    );
  }
  const v = result.view;
  const invoices = await tenantInvoicesView(await getDb(), tenantId);
  const logHref = (phoneNumber: string) => `/usage/logs?number=${encodeURIComponent(phoneNumber)}`;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">
          {v.tenantName}: usage for {v.period}
          {v.period === v.currentPeriod && <span className="ml-2 text-base font-normal text-slate-500">(current period)</span>}
        </h1>
        <PeriodPicker action="/usage" period={v.period} latest={v.currentPeriod} />
      </div>
      <section aria-label="Totals" className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {COUNTER_LABELS.map(([key, label]) => (
          <div key={key} className="rounded-lg border border-slate-200 p-3">
            <div className="text-sm text-slate-600">{label}</div>
            <div className="text-xl font-semibold tabular-nums" data-total={key}>
              {fmt(v.totals[key])}
            </div>
            <span className="text-xs text-slate-500">
              <Change now={v.totals[key]} before={v.previousTotals[key]} /> vs {v.previousToSameDay ? `the same days of ${v.previousPeriod}` : v.previousPeriod}
            </span>
          </div>
        ))}
      </section>
      <p>
        <a className="text-blue-700 hover:underline" href={`/api/usage/export?period=${v.period}`}>
          Download {v.period} as CSV
        </a>
      </p>
      <NumberUsageTable numbers={v.numbers} period={v.period} logHref={logHref} emptyText={`No numbers with usage in ${v.period}.`} />
      <UsageChart days={v.days} title={`Daily usage, ${v.period}`} />
      <AlertsPanel alerts={v.alerts} showTenant={false} />
      <TenantInvoices view={invoices} canFinalize={false} invoiceHref={(period) => `/usage/invoices/${period}`} />
    </div>
  );
}
