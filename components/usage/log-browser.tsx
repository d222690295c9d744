// The audit-log browser (ops and tenant portal): filters in the URL, newest first, previous/next by
// keyset, each row linking to its full entry, and the same filters as a CSV download.
import Link from "next/link";
import { hrefWith } from "@/components/data-table/url";
import type { AuditLogRow } from "@/lib/usage/audit-log";
import type { Page } from "@/lib/pagination";

export function LogFilters({ basePath, values, showTenant }: { basePath: string; values: Record<string, string | undefined>; showTenant: boolean }) {
  const field = "rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <form method="get" action={basePath} className="flex flex-wrap items-end gap-3" aria-label="Filter the audit log">
      {showTenant && (
        <label className="flex flex-col gap-1 text-sm">
          Tenant
          <input name="tenant" defaultValue={values.tenant ?? ""} placeholder="test-tenant-123" className={`${field} w-40`} />
        </label>
      )}
      <label className="flex flex-col gap-1 text-sm">
        Number
        <input name="number" defaultValue={values.number ?? ""} placeholder="+12505550101" className={`${field} w-36 font-mono`} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Usage type
        <select name="type" defaultValue={values.type ?? ""} className={field}>
          <option value="">Voice and SMS</option>
          <option value="voice">Voice</option>
          <option value="sms">Messages</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Channel
        <select name="channel" defaultValue={values.channel ?? ""} className={field}>
          <option value="">Every channel</option>
          <option value="sms">SMS</option>
          <option value="mms">MMS</option>
          <option value="whatsapp">WhatsApp</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Direction
        <select name="direction" defaultValue={values.direction ?? ""} className={field}>
          <option value="">Both directions</option>
          <option value="inbound">Inbound</option>
          <option value="outbound">Outbound</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Entry
        <select name="kind" defaultValue={values.kind ?? ""} className={field}>
          <option value="">Usage and adjustments</option>
          <option value="usage">Usage</option>
          <option value="adjustment">Adjustments</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Provider SID
        <input name="sid" defaultValue={values.sid ?? ""} placeholder="CA… or SM…" className={`${field} w-44 font-mono`} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Recorded from (UTC)
        <input name="from" defaultValue={values.from ?? ""} placeholder="2025-06-01" className={`${field} w-32`} />
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Recorded before (UTC)
        <input name="to" defaultValue={values.to ?? ""} placeholder="2025-07-01" className={`${field} w-32`} />
      </label>
      <button type="submit" className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-50">
        Apply
      </button>
    </form>
  );
}

export function LogTable({ basePath, values, page, exportHref }: { basePath: string; values: Record<string, string | undefined>; page: Page<AuditLogRow>; exportHref: string }) {
  return (
    <div className="flex flex-col gap-3">
      <div className="overflow-x-auto rounded-lg border border-slate-200">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Audit log entries, newest first</caption>
          <thead className="bg-slate-50 text-slate-700">
            <tr>
              <th className="px-3 py-2">#</th>
              <th className="px-3 py-2">Recorded (UTC)</th>
              <th className="px-3 py-2">Happened (UTC)</th>
              <th className="px-3 py-2">Tenant</th>
              <th className="px-3 py-2">Number</th>
              <th className="px-3 py-2">Entry</th>
              <th className="px-3 py-2 text-right">Quantity</th>
              <th className="px-3 py-2">Provider SID / reason</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.length === 0 && (
              <tr>
                <td colSpan={8} className="px-3 py-6 text-center text-slate-500">
                  No log entries match these filters.
                </td>
              </tr>
            )}
            {page.rows.map((r) => (
              <tr key={r.id} className="border-t border-slate-100 align-top hover:bg-slate-50">
                <td className="px-3 py-2">
                  <Link href={`${basePath}/${r.id}`} className="text-blue-700 hover:underline">
                    {r.id}
                  </Link>
                </td>
                <td className="px-3 py-2 whitespace-nowrap tabular-nums">{r.loggedAt.slice(0, 19).replace("T", " ")}</td>
                <td className="px-3 py-2 whitespace-nowrap tabular-nums">{r.eventAt.slice(0, 19).replace("T", " ")}</td>
                <td className="px-3 py-2">{r.tenantId}</td>
                <td className="px-3 py-2 font-mono">{r.phoneNumber}</td>
                <td className="px-3 py-2">
                  {r.channel ?? r.usageType} {r.direction ?? ""} {r.entryKind === "adjustment" ? <strong>adjustment</strong> : ""}
                  {r.parentCallSid && <span className="block text-xs text-slate-500">leg of {r.parentCallSid}</span>}
                </td>
                <td className="px-3 py-2 text-right tabular-nums">
                  {r.quantity} {r.unit}
                  {r.voiceSeconds !== null && <span className="text-slate-500"> ({r.voiceSeconds} s)</span>}
                  {r.smsSegments !== null && <span className="text-slate-500"> ({r.smsSegments} seg.)</span>}
                </td>
                <td className="px-3 py-2 font-mono text-xs">{r.entryKind === "adjustment" ? `${r.actor}: ${r.reason}` : r.providerSid}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Pages" className="flex items-center gap-3">
        {page.prevCursor ? (
          <Link href={hrefWith(basePath, values, { before: page.prevCursor })} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
            ← Newer
          </Link>
        ) : (
          <span className="rounded border border-slate-200 px-3 py-1 text-sm text-slate-400">← Newer</span>
        )}
        {page.nextCursor ? (
          <Link href={hrefWith(basePath, values, { after: page.nextCursor })} className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50">
            Older →
          </Link>
        ) : (
          <span className="rounded border border-slate-200 px-3 py-1 text-sm text-slate-400">Older →</span>
        )}
        <a href={exportHref} className="ml-auto text-sm text-blue-700 hover:underline">
          Download these entries as CSV
        </a>
      </nav>
    </div>
  );
}

export function LogEntryView({ entry, backHref }: { entry: import("@/lib/usage/audit-log").AuditLogEntry; backHref: string }) {
  const rows: [string, string][] = [
    ["Entry", `${entry.entryKind} · ${entry.usageType}${entry.channel ? ` · ${entry.channel}` : ""}${entry.direction ? ` · ${entry.direction}` : ""}`],
    ["Parent call", entry.parentCallSid ?? "—"],
    ["Tenant", entry.tenantId],
    ["Number", entry.phoneNumber],
    ["Quantity", `${entry.quantity} ${entry.unit}`],
    ["Voice seconds", entry.voiceSeconds === null ? "—" : String(entry.voiceSeconds)],
    ["SMS segments", entry.smsSegments === null ? "—" : String(entry.smsSegments)],
    ["Provider SID", entry.providerSid ?? "—"],
    ["Exactly-once key", entry.idempotencyKey ?? "—"],
    ["Happened (UTC)", entry.eventAt],
    ["Recorded (UTC)", entry.loggedAt],
    ["Billing period from", entry.billingPeriodStart],
    ["Actor", entry.actor ?? "—"],
    ["Reason", entry.reason ?? "—"],
  ];
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Log entry {entry.id}</h1>
      <dl className="grid max-w-2xl grid-cols-[12rem_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-600">{k}</dt>
            <dd className="font-mono">{v}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="metadata-heading">
        <h2 id="metadata-heading" className="text-lg font-semibold">
          Metadata
        </h2>
        <pre className="max-w-3xl overflow-x-auto rounded bg-slate-100 p-3 text-xs">{JSON.stringify(entry.metadata, null, 2)}</pre>
      </section>
      <Link href={backHref} className="text-blue-700 hover:underline">
        ← Back to the log
      </Link>
    </div>
  );
}
