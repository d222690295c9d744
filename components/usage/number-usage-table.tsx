// One tenant's numbers with every counter of a period; each number links to its audit-log entries, and
// when the previous period's counters are given, each figure shows the change against them.
import Link from "next/link";
import type { Counters, NumberUsage } from "@/lib/usage/report";
import { Change, COUNTER_LABELS, fmt } from "./counters";

export function NumberUsageTable({
  numbers,
  period,
  logHref,
  emptyText,
}: {
  numbers: (NumberUsage & { previous?: Counters })[];
  period: string;
  /** The audit-log URL of one number (filters in the URL). */
  logHref: (phoneNumber: string) => string;
  emptyText: string;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="w-full text-left text-sm tabular-nums">
        <caption className="sr-only">Counters per number in {period}</caption>
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
              <td colSpan={COUNTER_LABELS.length + 2} className="px-3 py-6 text-center text-slate-500">
                {emptyText}
              </td>
            </tr>
          )}
          {numbers.map((n) => (
            <tr key={n.mappingId} className="border-t border-slate-100" data-number={n.phoneNumber}>
              <td className="px-3 py-2 font-mono">
                <Link href={logHref(n.phoneNumber)} className="text-blue-700 hover:underline" title={`Audit log of ${n.phoneNumber}`}>
                  {n.phoneNumber}
                </Link>
                {!n.active && <span className="ml-1 text-xs text-slate-500">(ended)</span>}
              </td>
              <td className="px-3 py-2">{n.numberType}</td>
              {COUNTER_LABELS.map(([key, label]) => (
                <td key={label} className="px-3 py-2 text-right">
                  <span data-counter={key}>{fmt(n[key])}</span>
                  {n.previous && (
                    <>
                      {" "}
                      <Change now={n[key]} before={n.previous[key]} />
                    </>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
