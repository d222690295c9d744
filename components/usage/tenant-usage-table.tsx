// The ops usage report: one row per tenant with every counter of the period and its change against the
// previous period, a totals row, and a link on each tenant that expands (or folds) its numbers.
import Link from "next/link";
import { hrefWith } from "@/components/data-table/url";
import type { Counters, UsageReport } from "@/lib/usage/report";
import { Change, COUNTER_LABELS, fmt } from "./counters";

export function TenantUsageTable({ report, previousTotals, expanded, basePath }: { report: UsageReport; previousTotals: Counters; expanded?: string; basePath: string }) {
  const { period, tenants } = report;
  return (
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
          {tenants.length === 0 && (
            <tr>
              <td colSpan={COUNTER_LABELS.length + 2} className="px-3 py-6 text-center text-slate-500">
                No usage counted in {period}.
              </td>
            </tr>
          )}
          {tenants.map((t) => {
            const open = t.tenantId === expanded;
            return (
              <tr key={t.tenantId} className={`border-t border-slate-100 ${open ? "bg-blue-50" : ""}`} data-tenant={t.tenantId}>
                <td className="px-3 py-2">
                  <Link href={hrefWith(basePath, { period }, { tenant: open ? undefined : t.tenantId })} className="text-blue-700 hover:underline" aria-expanded={open} title={t.tenantName}>
                    {open ? "▾" : "▸"} {t.tenantId}
                  </Link>
                </td>
                <td className="px-3 py-2 text-right">{t.numbers}</td>
                {COUNTER_LABELS.map(([key, label]) => (
                  <td key={label} className="px-3 py-2 text-right">
                    <span data-counter={key}>{fmt(t.current[key])}</span> <Change now={t.current[key]} before={t.previous[key]} />
                  </td>
                ))}
              </tr>
            );
          })}
          {tenants.length > 0 && (
            <tr className="border-t-2 border-slate-300 font-semibold">
              <td className="px-3 py-2">All tenants</td>
              <td className="px-3 py-2 text-right">{tenants.reduce((n, t) => n + t.numbers, 0)}</td>
              {COUNTER_LABELS.map(([key, label]) => (
                <td key={label} className="px-3 py-2 text-right">
                  <span data-total={key}>{fmt(report.totals[key])}</span> <Change now={report.totals[key]} before={previousTotals[key]} />
                </td>
              ))}
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
