import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { firstValues, hrefWith } from "@/components/data-table/url";
import { UnmatchedTable } from "@/components/usage/unmatched-table";
import { requireOpsPage } from "@/lib/auth/session";
import { unmatchedInboxView } from "@/lib/portal/unmatched-inbox";

export const metadata: Metadata = { title: "Unmatched usage" };

const STATUSES = ["open", "assigned", "dismissed"] as const;

export default async function UnmatchedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const { status, page, candidates, error } = await unmatchedInboxView(await getDb(), params);
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Unmatched usage</h1>
      <p className="text-slate-700">
        Calls and messages Twilio reported for numbers no mapping covered at the time. Assigning one counts it, once, in the period it happened; dismissing one keeps it here with your reason.
      </p>
      <nav aria-label="Status" className="flex gap-2">
        {STATUSES.map((s) => (
          <Link
            key={s}
            href={hrefWith("/ops/unmatched", {}, { status: s === "open" ? undefined : s })}
            aria-current={s === status ? "page" : undefined}
            className={`rounded px-3 py-1 text-sm ${s === status ? "bg-slate-900 text-white" : "border border-slate-300"}`}
          >
            {s[0]!.toUpperCase() + s.slice(1)}
          </Link>
        ))}
      </nav>
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
      {page && <UnmatchedTable rows={page.rows} status={status} candidates={candidates} />}
      {page && (page.prevCursor || page.nextCursor) && (
        <nav aria-label="Pages" className="flex gap-3 text-sm">
          {page.prevCursor && (
            <Link className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-50" href={hrefWith("/ops/unmatched", params, { before: page.prevCursor })}>
              ← Newer
            </Link>
          )}
          {page.nextCursor && (
            <Link className="rounded border border-slate-300 px-3 py-1 hover:bg-slate-50" href={hrefWith("/ops/unmatched", params, { after: page.nextCursor })}>
              Older →
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
