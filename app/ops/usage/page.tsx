import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { firstValues, hrefWith } from "@/components/data-table/url";
import { AdjustmentForm } from "@/components/usage/adjustment-form";
import { Change, COUNTER_LABELS, fmt } from "@/components/usage/counters";
import { PeriodPicker } from "@/components/usage/period-picker";
import { UsageChart } from "@/components/usage/usage-chart";
import { requireOpsPage } from "@/lib/auth/session";
import { billingPeriodOf } from "@/lib/billing/periods";
import { dailyUsage, usageByNumber, usageReport } from "@/lib/usage/report";
import { periodSchema, tenantIdSchema } from "@/lib/validation";

export const metadata: Metadata = { title: "Usage" };

export default async function OpsUsagePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const periodParse = periodSchema.safeParse(params.period ?? billingPeriodOf(new Date()).month);
  const tenantParse = params.tenant ? tenantIdSchema.safeParse(params.tenant) : null;
  const error = !periodParse.success
    ? periodParse.error.issues[0]!.message
    : tenantParse && !tenantParse.success
      ? tenantParse.error.issues[0]!.message
      : null;
  if (error || !periodParse.success) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold">Usage</h1>
        <PeriodPicker action="/ops/usage" period={billingPeriodOf(new Date()).month} />
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      </div>
    );
  }
  const period = periodParse.data;
  const expanded = tenantParse?.success ? tenantParse.data : undefined;
  const db = await getDb();
  const [report, days, numbers] = await Promise.all([
    usageReport(db, { period }),
    dailyUsage(db, { period, tenantId: expanded }),
    expanded ? usageByNumber(db, { period, tenantId: expanded }) : Promise.resolve(null),
  ]);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">
          Usage for {period} <span className="text-base font-normal text-slate-500">(compared with {report.previousPeriod})</span>
        </h1>
        <PeriodPicker action="/ops/usage" period={period} keep={{ tenant: expanded }} />
      </div>
      <p className="flex gap-4 text-sm">
        <a className="text-blue-700 hover:underline" href={`/api/usage/export?period=${period}`}>
          Export {period} for invoicing (CSV)
        </a>
        {expanded && (
          <a className="text-blue-700 hover:underline" href={`/api/usage/export?period=${period}&tenant_id=${encodeURIComponent(expanded)}`}>
            Export {expanded} only
          </a>
        )}
      </p>
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="w-full text-left text-sm tabular-nums">
          <caption className="sr-only">Counters per tenant for {period}</caption>
          <thead className="bg-slate-50 text-slate-700">
            <tr>
              <th className="px-3 py-2">Tenant</th>
              <th className="px-3 py-2 text-right">Numbers</th>
              {COUNTER_LABELS.map(([, label]) => (
                <th key={label} className="px-3 py-2 text-right">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.tenants.length === 0 && (
              <tr>
                <td colSpan={9} className="px-3 py-6 text-center text-slate-500">
                  No usage counted in {period}.
                </td>
              </tr>
            )}
            {report.tenants.map((t) => (
              <tr key={t.tenantId} className={`border-t border-slate-100 ${t.tenantId === expanded ? "bg-blue-50" : ""}`}>
                <td className="px-3 py-2">
                  <Link href={hrefWith("/ops/usage", { period }, { tenant: t.tenantId === expanded ? undefined : t.tenantId })} className="text-blue-700 hover:underline" aria-expanded={t.tenantId === expanded}>
                    {t.tenantId === expanded ? "▾" : "▸"} {t.tenantId}
                  </Link>
                </td>
                <td className="px-3 py-2 text-right">{t.numbers}</td>
                {COUNTER_LABELS.map(([key, label]) => (
                  <td key={label} className="px-3 py-2 text-right" data-counter={key}>
                    {fmt(t.current[key])} <Change now={t.current[key]} before={t.previous[key]} />
                  </td>
                ))}
              </tr>
            ))}
            {report.tenants.length > 0 && (
              <tr className="border-t-2 border-slate-300 font-semibold">
                <td className="px-3 py-2">All tenants</td>
                <td className="px-3 py-2 text-right">{report.tenants.reduce((n, t) => n + t.numbers, 0)}</td>
                {COUNTER_LABELS.map(([key, label]) => (
                  <td key={label} className="px-3 py-2 text-right" data-total={key}>
                    {fmt(report.totals[key])}
                  </td>
                ))}
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {expanded && numbers && (
        <section aria-labelledby="numbers-heading" className="flex flex-col gap-3">
          <h2 id="numbers-heading" className="text-lg font-semibold">
            {expanded}: per number
          </h2>
          <table className="w-full text-left text-sm tabular-nums">
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
              {numbers.map((n) => (
                <tr key={n.mappingId} className="border-t border-slate-100">
                  <td className="px-3 py-2 font-mono">
                    <Link href={`/ops/logs?number=${encodeURIComponent(n.phoneNumber)}`} className="text-blue-700 hover:underline">
                      {n.phoneNumber}
                    </Link>
                    {!n.active && <span className="ml-1 text-xs text-slate-500">(ended)</span>}
                  </td>
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
          {numbers.length > 0 && <AdjustmentForm tenantId={expanded} period={period} numbers={numbers.map((n) => ({ mappingId: n.mappingId, phoneNumber: n.phoneNumber }))} />}
        </section>
      )}
      <UsageChart days={days} title={`Daily usage, ${expanded ?? "all tenants"}, ${period}`} />
    </div>
  );
}
