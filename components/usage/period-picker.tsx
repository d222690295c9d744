// Chooses the billing period (YYYY-MM) with a plain GET form, keeping the other params, plus links to
// the month before and after (past periods are one click away).
import Link from "next/link";
import { hrefWith } from "@/components/data-table/url";

/** The month `delta` months from a YYYY-MM month. */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + delta;
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

export function PeriodPicker({ action, period, keep = {}, latest }: { action: string; period: string; keep?: Record<string, string | undefined>; latest?: string }) {
  const previous = shiftMonth(period, -1);
  const next = shiftMonth(period, 1);
  const link = "rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50";
  return (
    <div className="flex flex-wrap items-end gap-2">
      <Link href={hrefWith(action, keep, { period: previous })} className={link} aria-label={`Previous period, ${previous}`}>
        ← {previous}
      </Link>
      <form method="get" action={action} className="flex items-end gap-2" aria-label="Choose billing period">
        <label className="flex flex-col gap-1 text-sm">
          Billing period
          <input type="month" name="period" defaultValue={period} required className="rounded border border-slate-300 px-2 py-1" />
        </label>
        {Object.entries(keep).map(([k, v]) => (v ? <input key={k} type="hidden" name={k} value={v} /> : null))}
        <button type="submit" className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-50">
          Show
        </button>
      </form>
      {(!latest || next <= latest) && (
        <Link href={hrefWith(action, keep, { period: next })} className={link} aria-label={`Next period, ${next}`}>
          {next} →
        </Link>
      )}
    </div>
  );
}
