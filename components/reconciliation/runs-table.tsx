// Reconciliation runs, newest first: who started each, for which account and period, how far it got
// (records read, counted, corrected, kept unmatched...), and its drift against Twilio's Usage Records.
import type { ReconciliationRunView } from "@/lib/ops/reconciliation";

const n = (v: number) => v.toLocaleString("en-US");
const time = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "");

const STATUS_STYLE: Record<ReconciliationRunView["status"], string> = {
  running: "bg-blue-100 text-blue-900",
  succeeded: "bg-green-100 text-green-900",
  failed: "bg-red-100 text-red-900",
};

function DriftTable({ run }: { run: ReconciliationRunView }) {
  if (!run.drift) return <p className="text-sm text-slate-500">{run.status === "running" ? "Drift follows when the run has read every page." : "No drift recorded."}</p>;
  return (
    <table className="text-sm">
      <caption className="sr-only">
        Drift of run {run.id}: ledger against Twilio&apos;s Usage Records, UTC month {run.period}
      </caption>
      <thead className="text-slate-600">
        <tr>
          <th className="px-2 py-1 text-left">What</th>
          <th className="px-2 py-1 text-right">Ledger</th>
          <th className="px-2 py-1 text-right">Twilio</th>
          <th className="px-2 py-1 text-right">Drift</th>
        </tr>
      </thead>
      <tbody>
        {run.drift.map((d) => (
          <tr key={d.metric} className="border-t border-slate-100">
            <td className="px-2 py-1">{d.label}</td>
            <td className="px-2 py-1 text-right tabular-nums">{n(d.ledger)}</td>
            <td className="px-2 py-1 text-right tabular-nums">{d.twilio === null ? "–" : n(d.twilio)}</td>
            <td className={`px-2 py-1 text-right tabular-nums ${d.difference ? "font-semibold text-red-700" : "text-slate-500"}`}>
              {d.difference === null ? "–" : d.difference > 0 ? `+${n(d.difference)}` : n(d.difference)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ReconciliationRunsTable({ runs }: { runs: ReconciliationRunView[] }) {
  if (runs.length === 0) return <p className="text-slate-600">No reconciliation has run yet.</p>;
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Reconciliation runs, newest first</caption>
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            <th className="px-3 py-2">Run</th>
            <th className="px-3 py-2">Period</th>
            <th className="px-3 py-2">Account</th>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2">Started (UTC)</th>
            <th className="px-3 py-2 text-right">Read</th>
            <th className="px-3 py-2 text-right">Counted</th>
            <th className="px-3 py-2 text-right">Corrected</th>
            <th className="px-3 py-2 text-right">Unmatched</th>
            <th className="px-3 py-2">Details</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} className="border-t border-slate-100 align-top" data-testid={`run-${r.id}`}>
              <td className="px-3 py-2 tabular-nums">{r.id}</td>
              <td className="px-3 py-2">{r.period}</td>
              <td className="px-3 py-2 font-mono text-xs">{r.accountSid}</td>
              <td className="px-3 py-2">
                <span className={`rounded px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[r.status]}`}>{r.status}</span>
              </td>
              <td className="px-3 py-2 whitespace-nowrap tabular-nums">
                {time(r.startedAt)}
                <div className="text-xs text-slate-500">by {r.startedBy}</div>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">
                {n(r.recordsRead)}
                <div className="text-xs text-slate-500">{n(r.pagesRead)} pages</div>
              </td>
              <td className="px-3 py-2 text-right tabular-nums">{n(r.counted)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{n(r.corrected)}</td>
              <td className="px-3 py-2 text-right tabular-nums">{n(r.unmatched)}</td>
              <td className="px-3 py-2">
                {r.error && (
                  <p role="alert" className="mb-1 max-w-md text-red-800">
                    {r.error}
                  </p>
                )}
                <details>
                  <summary className="cursor-pointer text-blue-700">Drift and counts</summary>
                  <div className="mt-2 flex flex-col gap-2">
                    <p className="text-xs text-slate-600">
                      {n(r.alreadyCounted)} already counted, {n(r.notBilled)} not billed by Twilio, {n(r.outsidePeriod)} of another period
                      {r.unreadable > 0 && `, ${n(r.unreadable)} unreadable`}
                      {r.finishedAt && `; finished ${time(r.finishedAt)}`}
                    </p>
                    <DriftTable run={r} />
                  </div>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
