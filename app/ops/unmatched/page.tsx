import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { firstValues, hrefWith } from "@/components/data-table/url";
import { UnmatchedActions } from "@/components/usage/unmatched-actions";
import { requireOpsPage } from "@/lib/auth/session";
import { assignableMappings, listUnmatched } from "@/lib/billing/unmatched-resolution";
import { asBillingError } from "@/lib/errors";

export const metadata: Metadata = { title: "Unmatched usage" };

const STATUSES = ["open", "assigned", "dismissed"] as const;

export default async function UnmatchedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const status = STATUSES.find((s) => s === params.status) ?? "open";
  const db = await getDb();
  let error: string | null = null;
  const page = await listUnmatched(db, { status, after: params.after, before: params.before }).catch((err: unknown) => {
    const known = asBillingError(err);
    if (!known || known.status >= 500) throw err;
    error = known.message;
    return null;
  });
  const numbers = [...new Set(page?.rows.map((r) => r.phoneNumber) ?? [])];
  const candidates = new Map(await Promise.all(numbers.map(async (n) => [n, await assignableMappings(db, n)] as const)));
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Unmatched usage</h1>
      <p className="text-slate-700">Calls and messages Twilio reported for numbers no mapping covered at the time. Assigning one counts it, once, in the period it happened.</p>
      <nav aria-label="Status" className="flex gap-2">
        {STATUSES.map((s) => (
          <Link key={s} href={hrefWith("/ops/unmatched", {}, { status: s === "open" ? undefined : s })} className={`rounded px-3 py-1 text-sm ${s === status ? "bg-slate-900 text-white" : "border border-slate-300"}`}>
            {s[0]!.toUpperCase() + s.slice(1)}
          </Link>
        ))}
      </nav>
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
      {page && (
        <table className="w-full text-left text-sm">
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
            {page.rows.length === 0 && (
              <tr>
                <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                  Nothing {status}.
                </td>
              </tr>
            )}
            {page.rows.map((r) => (
              <tr key={r.id} className="border-t border-slate-100 align-top">
                <td className="px-3 py-2">{r.id}</td>
                <td className="px-3 py-2 whitespace-nowrap">{r.eventAt.replace("T", " ").slice(0, 19)}</td>
                <td className="px-3 py-2 font-mono">{r.phoneNumber}</td>
                <td className="px-3 py-2">
                  {r.usageType} {r.direction}
                  {r.voiceSeconds !== null && ` · ${r.voiceSeconds} s`}
                  {r.smsSegments !== null && ` · ${r.smsSegments} seg.`}
                </td>
                <td className="px-3 py-2 font-mono text-xs">{r.providerSid}</td>
                <td className="px-3 py-2">
                  {r.status === "open" ? (
                    <UnmatchedActions id={r.id} phoneNumber={r.phoneNumber} mappings={candidates.get(r.phoneNumber) ?? []} />
                  ) : (
                    <span className="text-xs">
                      {r.status} by {r.resolvedBy}
                      {r.resolutionReason ? `: ${r.resolutionReason}` : ""}
                      {r.usageLogId ? (
                        <>
                          {" "}
                          (<Link className="text-blue-700 hover:underline" href={`/ops/logs/${r.usageLogId}`}>log entry {r.usageLogId}</Link>)
                        </>
                      ) : null}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (page.prevCursor || page.nextCursor) && (
        <nav aria-label="Pages" className="flex gap-3 text-sm">
          {page.prevCursor && <Link href={hrefWith("/ops/unmatched", params, { before: page.prevCursor })}>← Newer</Link>}
          {page.nextCursor && <Link href={hrefWith("/ops/unmatched", params, { after: page.nextCursor })}>Older →</Link>}
        </nav>
      )}
    </div>
  );
}
