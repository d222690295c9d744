import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { PricePlanForm } from "@/components/pricing/price-plan-form";
import { TenantInvoices } from "@/components/pricing/tenant-invoices";
import { requireOpsPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { tenantDetail } from "@/lib/ops/tenants";
import { tenantInvoicesView } from "@/lib/pricing/views";

export const metadata: Metadata = { title: "Tenant" };

export default async function TenantPage({ params }: { params: Promise<{ tenantId: string }> }) {
  await requireOpsPage();
  const { tenantId } = await params;
  const detail = await tenantDetail(await getDb(), decodeURIComponent(tenantId)).catch((err: unknown) => {
    const known = asBillingError(err);
    if (known?.code === "not_found" || known?.code === "invalid_input") notFound();
    throw err;
  });
  const { tenant, numbers } = detail;
  const invoices = await tenantInvoicesView(await getDb(), tenant.id);
  const plan = invoices.plan;
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">
        {tenant.name} <span className="font-mono text-lg text-slate-500">{tenant.id}</span>
      </h1>
      <p className="text-slate-700">
        Billing time zone {tenant.billingTimeZone}; allowances {tenant.voiceMinutesAllowance ?? "none"} voice minutes, {tenant.smsAllowance ?? "none"} messages a month.
        Current period from {numbers[0]?.periodStart ?? "—"}.
      </p>
      <p>
        <Link href={`/ops/numbers?tenant=${encodeURIComponent(tenant.id)}`} className="text-blue-700 hover:underline">
          Manage this tenant&apos;s numbers
        </Link>
      </p>
      <table className="w-full text-left text-sm">
        <thead className="bg-slate-50 text-slate-700">
          <tr>
            <th className="px-3 py-2">Number</th>
            <th className="px-3 py-2">Type</th>
            <th className="px-3 py-2">Status</th>
            <th className="px-3 py-2 text-right">Voice minutes</th>
            <th className="px-3 py-2 text-right">Calls</th>
            <th className="px-3 py-2 text-right">Voice seconds</th>
            <th className="px-3 py-2 text-right">Messages</th>
            <th className="px-3 py-2 text-right">Sent</th>
            <th className="px-3 py-2 text-right">Received</th>
            <th className="px-3 py-2 text-right">Segments</th>
          </tr>
        </thead>
        <tbody>
          {numbers.length === 0 && (
            <tr>
              <td colSpan={10} className="px-3 py-6 text-center text-slate-500">
                No numbers mapped yet.
              </td>
            </tr>
          )}
          {numbers.map((n) => (
            <tr key={n.mappingId} className="border-t border-slate-100 tabular-nums">
              <td className="px-3 py-2 font-mono">{n.phoneNumber}</td>
              <td className="px-3 py-2">{n.numberType}</td>
              <td className="px-3 py-2">{n.active ? "Active" : "Ended"}</td>
              <td className="px-3 py-2 text-right">{n.voiceMinutesUsed}</td>
              <td className="px-3 py-2 text-right">{n.voiceCallsCount}</td>
              <td className="px-3 py-2 text-right">{n.voiceSecondsUsed}</td>
              <td className="px-3 py-2 text-right">{n.smsCountUsed}</td>
              <td className="px-3 py-2 text-right">{n.smsSentCount}</td>
              <td className="px-3 py-2 text-right">{n.smsReceivedCount}</td>
              <td className="px-3 py-2 text-right">{n.smsSegmentsUsed}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TenantInvoices view={invoices} canFinalize invoiceHref={(period) => `/ops/tenants/${encodeURIComponent(tenant.id)}/invoices/${period}`} />
      <PricePlanForm
        key={plan ? `${plan.effective_from}-${plan.created_at}` : "none"}
        tenantId={tenant.id}
        current={plan ? { currency: plan.currency, number_monthly_fee: plan.number_monthly_fee, charges: plan.charges } : null}
      />
      {plan && (
        <section aria-labelledby="plan-history-heading" className="flex flex-col gap-2">
          <h2 id="plan-history-heading" className="font-semibold">
            Plan history
          </h2>
          <ol className="flex flex-col gap-1 text-sm text-slate-700">
            {plan.history.map((v) => (
              <li key={v.created_at}>
                From {v.effective_from}: {v.currency}, numbers {v.number_monthly_fee.local} local / {v.number_monthly_fee.toll_free} toll-free,{" "}
                {Object.keys(v.charges).length} metrics charged · set {v.created_at.slice(0, 16).replace("T", " ")} UTC by {v.created_by}
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
