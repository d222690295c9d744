import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { firstValues, hrefWith } from "@/components/data-table/url";
import { AdjustmentForm } from "@/components/usage/adjustment-form";
import { NumberUsageTable } from "@/components/usage/number-usage-table";
import { PeriodPicker } from "@/components/usage/period-picker";
import { TenantJump } from "@/components/tenants/tenant-jump";
import { TenantUsageTable } from "@/components/usage/tenant-usage-table";
import { UsageChart } from "@/components/usage/usage-chart";
import { requireOpsPage } from "@/lib/auth/session";
import { billingPeriodOf } from "@/lib/billing/periods";
import { opsUsageViewOrError } from "@/lib/portal/ops-usage";

export const metadata: Metadata = { title: "Usage" };

export default async function OpsUsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const result = await opsUsageViewOrError(await getDb(), params);
  if (result.error !== null) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold">Usage</h1>
        <PeriodPicker action="/ops/usage" period={billingPeriodOf(new Date()).month} />
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {result.error}
        </p>
      </div>
    );
  }
  const { period, report, previousTotals, days, expanded, numbers } = result.view;
  const exportHref = (tenantId?: string) => `/api/usage/export?${new URLSearchParams({ period, ...(tenantId ? { tenant_id: tenantId } : {}) })}`;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">
          Usage for {period} <span className="text-base font-normal text-slate-500">(compared with {report.previousPeriod}; a period in progress with its same days)</span>
        </h1>
        <div className="flex items-end gap-4">
          <TenantJump label="Open a tenant (numbers, adjustments)" current={expanded ? { id: expanded, name: "" } : null} hrefTemplate={`/ops/usage?period=${period}&tenant={tenant}`} />
          <PeriodPicker action="/ops/usage" period={period} keep={{ tenant: expanded }} />
        </div>
      </div>
      <p className="flex gap-4 text-sm">
        <a className="text-blue-700 hover:underline" href={exportHref()}>
          Export {period} for invoicing (CSV)
        </a>
        {expanded && (
          <a className="text-blue-700 hover:underline" href={exportHref(expanded)}>
            Export {expanded} only
          </a>
        )}
      </p>
      <TenantUsageTable report={report} previousTotals={previousTotals} expanded={expanded} basePath="/ops/usage" />
      {expanded && numbers && (
        <section aria-labelledby="numbers-heading" className="flex flex-col gap-3">
          <h2 id="numbers-heading" className="text-lg font-semibold">
            {expanded}: per number
          </h2>
          <NumberUsageTable
            numbers={numbers}
            period={period}
            logHref={(phoneNumber) => hrefWith("/ops/logs", {}, { tenant: expanded, number: phoneNumber })}
            emptyText={`${expanded} has no numbers with usage in ${period}.`}
          />
          <p className="text-sm">
            <Link className="text-blue-700 hover:underline" href={hrefWith("/ops/logs", {}, { tenant: expanded, kind: "adjustment" })}>
              Adjustments posted to {expanded} (audit log, with actor and reason)
            </Link>
          </p>
          {numbers.length > 0 && <AdjustmentForm tenantId={expanded} period={period} numbers={numbers.map((n) => ({ mappingId: n.mappingId, phoneNumber: n.phoneNumber }))} />}
        </section>
      )}
      <UsageChart days={days} title={`Daily usage, ${expanded ?? "all tenants"}, ${period}`} />
    </div>
  );
}
