import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { firstValues, hrefWith } from "@/components/data-table/url";
import { CreateTenantForm } from "@/components/tenants/create-tenant-form";
import { TenantJump } from "@/components/tenants/tenant-jump";
import { requireOpsPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { listTenants, tenantsQuerySchema } from "@/lib/ops/tenants";
import { describeFieldErrors, fieldErrorsOf } from "@/lib/validation";

export const metadata: Metadata = { title: "Tenants" };

export default async function TenantsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const parsed = tenantsQuerySchema.safeParse(params);
  let error: string | null = parsed.success ? null : describeFieldErrors(fieldErrorsOf(parsed.error));
  let page = null;
  if (parsed.success) {
    try {
      page = await listTenants(await getDb(), parsed.data);
    } catch (err) {
      const known = asBillingError(err);
      if (!known || known.status >= 500) throw err;
      error = known.message;
    }
  }
  const timeZones = Intl.supportedValuesOf("timeZone");
  const keep = { q: params.q };
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <h1 className="text-2xl font-semibold">Tenants</h1>
        <TenantJump label="Go to a tenant (plan, invoices)" hrefTemplate="/ops/tenants/{tenant}" />
      </div>
      <form method="get" action="/ops/tenants" className="flex items-end gap-3" aria-label="Search tenants">
        <label className="flex flex-col gap-1 text-sm">
          ID starts with, or name contains
          <input name="q" defaultValue={params.q ?? ""} className="w-72 rounded border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" className="rounded border border-slate-400 px-3 py-1 text-sm hover:bg-slate-50">
          Search
        </button>
      </form>
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
      {page && (
        <>
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Tenants</caption>
            <thead className="bg-slate-50 text-slate-700">
              <tr>
                <th className="px-3 py-2">Tenant ID</th>
                <th className="px-3 py-2">Name</th>
                <th className="px-3 py-2">Billing time zone</th>
                <th className="px-3 py-2">Active numbers</th>
                <th className="px-3 py-2">Monthly allowances</th>
                <th className="px-3 py-2">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.length === 0 && (
                <tr>
                  <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                    No tenant matches.
                  </td>
                </tr>
              )}
              {page.rows.map((t) => (
                <tr key={t.id} className="border-t border-slate-100">
                  <td className="px-3 py-2">
                    <Link href={`/ops/tenants/${t.id}`} className="text-blue-700 hover:underline">
                      {t.id}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{t.name}</td>
                  <td className="px-3 py-2">{t.billingTimeZone}</td>
                  <td className="px-3 py-2 tabular-nums">{t.activeNumbers}</td>
                  <td className="px-3 py-2">
                    {t.voiceMinutesAllowance ?? "—"} min · {t.smsAllowance ?? "—"} SMS
                  </td>
                  <td className="px-3 py-2">{t.createdAt}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav aria-label="Pages" className="flex gap-4 text-sm">
            {page.prevCursor && (
              <Link className="text-blue-700 hover:underline" href={hrefWith("/ops/tenants", keep, { before: page.prevCursor })}>
                ← Previous
              </Link>
            )}
            {page.nextCursor && (
              <Link className="text-blue-700 hover:underline" href={hrefWith("/ops/tenants", keep, { after: page.nextCursor })}>
                Next →
              </Link>
            )}
          </nav>
        </>
      )}
      <CreateTenantForm timeZones={timeZones} />
    </div>
  );
}
