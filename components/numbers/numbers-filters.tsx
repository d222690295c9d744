// The numbers list's filters: a plain GET form, so the filters live in the URL. The tenant is picked with
// a combobox that asks the server for matches.
import { TenantCombobox } from "@/components/tenants/tenant-combobox";
import type { TenantChoice } from "@/lib/ops/tenants";

export function NumbersFilters({ tenant, values }: { tenant: TenantChoice | null; values: Record<string, string | undefined> }) {
  const field = "rounded border border-slate-300 px-2 py-1 text-sm";
  return (
    <form method="get" action="/ops/numbers" className="flex flex-wrap items-end gap-3" aria-label="Filter numbers">
      <TenantCombobox label="Tenant" name="tenant" value={values.tenant ?? ""} initial={tenant} placeholder="All tenants" />
      <label className="flex flex-col gap-1 text-sm">
        Type
        <select name="type" defaultValue={values.type ?? ""} className={field}>
          <option value="">Any type</option>
          <option value="voice">Voice</option>
          <option value="sms">SMS</option>
          <option value="both">Both</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Status
        <select name="status" defaultValue={values.status ?? ""} className={field}>
          <option value="">Active and ended</option>
          <option value="active">Active</option>
          <option value="ended">Ended</option>
        </select>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        Number or SID starts with
        <input name="q" defaultValue={values.q ?? ""} placeholder="+1250… or PN…" className={`${field} font-mono`} />
      </label>
      {values.sort && <input type="hidden" name="sort" value={values.sort} />}
      <button type="submit" className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-50">
        Apply
      </button>
    </form>
  );
}
