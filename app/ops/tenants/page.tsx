import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { CreateTenantForm } from "@/components/tenants/create-tenant-form";
import { requireOpsPage } from "@/lib/auth/session";
import { listTenants } from "@/lib/ops/tenants";

export const metadata: Metadata = { title: "Tenants" };

export default async function TenantsPage() {
  await requireOpsPage();
  const tenants = await listTenants(await getDb());
  const timeZones = Intl.supportedValuesOf("timeZone");
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Tenants</h1>
      <table className="w-full text-left text-sm">
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
          {tenants.map((t) => (
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
      <CreateTenantForm timeZones={timeZones} />
    </div>
  );
}
