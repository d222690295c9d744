// Chooses the billing period (YYYY-MM) with a plain GET form, keeping the other params.
export function PeriodPicker({ action, period, keep = {} }: { action: string; period: string; keep?: Record<string, string | undefined> }) {
  return (
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
  );
}
