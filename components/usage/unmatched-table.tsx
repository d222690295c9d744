// The unmatched inbox: usage Twilio reported for numbers no mapping covered, newest first; open items
// carry their assign/dismiss controls, resolved ones say who resolved them, how, and link the log entry.
import Link from "next/link";
import type { UnmatchedRow } from "@/lib/billing/unmatched-resolution";
import { candidatesFor, type AssignableMapping } from "@/lib/portal/unmatched-inbox";
import { UnmatchedActions } from "./unmatched-actions";

export function UnmatchedTable({ rows, status, candidates }: { rows: UnmatchedRow[]; status: string; candidates: Record<string, AssignableMapping[]> }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Unmatched usage events ({status}), newest first</caption>
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            <th className="px-3 py-2">#</th>
            <th className="px-3 py-2">Happened (UTC)</th>
            <th className="px-3 py-2">Number</th>
            <th className="px-3 py-2">What</th>
            <th className="px-3 py-2">Provider SID</th>
            <th className="px-3 py-2">{status === "open" ? "Resolve" : "Resolution"}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                Nothing {status}.
              </td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-100 align-top">
              <td className="px-3 py-2">{r.id}</td>
              <td className="px-3 py-2 whitespace-nowrap tabular-nums">{r.eventAt.replace("T", " ").slice(0, 19)}</td>
              <td className="px-3 py-2 font-mono">{r.phoneNumber ?? "—"}</td>
              <td className="px-3 py-2">
                {r.usageType === "sms" ? r.channel ?? "sms" : "voice"} {r.direction ?? ""}
                {r.voiceSeconds !== null && ` · ${r.voiceSeconds} s`}
                {r.smsSegments !== null && ` · ${r.smsSegments} seg.`}
                {r.reason && <p className="mt-1 text-xs text-slate-600">{r.reason}</p>}
              </td>
              <td className="px-3 py-2 font-mono text-xs">
                {r.providerSid ?? "—"}
                {r.parentCallSid && <p className="text-slate-500">parent {r.parentCallSid}</p>}
              </td>
              <td className="px-3 py-2">
                {r.status === "open" ? (
                  <UnmatchedActions
                    id={r.id}
                    phoneNumber={r.phoneNumber ?? r.payloadNumbers.join(", ")}
                    usageType={r.usageType}
                    countable={r.countable}
                    mappings={candidatesFor(r, candidates)}
                  />
                ) : (
                  <span className="text-xs">
                    {r.status} by {r.resolvedBy}
                    {r.resolutionReason ? `: ${r.resolutionReason}` : ""}
                    {r.usageLogId ? (
                      <>
                        {" "}
                        (
                        <Link className="text-blue-700 hover:underline" href={`/ops/logs/${r.usageLogId}`}>
                          log entry {r.usageLogId}
                        </Link>
                        )
                      </>
                    ) : null}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
