// The invoice part of a tenant's screens: the invoice to date, the previous period's (with the finalize
// button for ops while it is a draft), and the final invoices with links to their printable pages.
import Link from "next/link";
import { formatCents } from "@/lib/pricing/money";
import type { TenantInvoicesView } from "@/lib/pricing/views";
import { FinalizeButton } from "./finalize-button";
import { InvoiceTable } from "./invoice-table";

export function TenantInvoices({ view, invoiceHref, canFinalize }: { view: TenantInvoicesView; invoiceHref: (period: string) => string; canFinalize: boolean }) {
  const { toDate, previous } = view;
  return (
    <section aria-labelledby="invoices-heading" className="flex flex-col gap-4">
      <h2 id="invoices-heading" className="text-lg font-semibold">
        Invoices
      </h2>
      {!toDate && !previous && <p className="text-slate-600">No price plan prices {view.currentPeriod} yet, so there is no invoice.</p>}
      {toDate && (
        <div className="flex flex-col gap-2" data-testid="invoice-to-date">
          <InvoiceTable invoice={toDate} caption={`Invoice to date, ${view.currentPeriod}`} />
          <Link className="text-sm text-blue-700 hover:underline" href={invoiceHref(view.currentPeriod)}>
            Printable invoice {view.currentPeriod}
          </Link>
        </div>
      )}
      {previous && (
        <div className="flex flex-col gap-2" data-testid="invoice-previous">
          <InvoiceTable invoice={previous} caption={`Invoice ${view.previousPeriod}`} />
          <div className="flex items-center gap-4">
            {canFinalize && previous.status === "draft" && (
              <FinalizeButton tenantId={view.tenantId} period={view.previousPeriod} total={formatCents(previous.total_cents, previous.currency)} />
            )}
            <Link className="text-sm text-blue-700 hover:underline" href={invoiceHref(view.previousPeriod)}>
              Printable invoice {view.previousPeriod}
            </Link>
          </div>
        </div>
      )}
      <div className="flex flex-col gap-2">
        <h3 className="font-semibold">Final invoices</h3>
        {view.finals.length === 0 ? (
          <p className="text-sm text-slate-600">None yet.</p>
        ) : (
          <table className="text-left text-sm tabular-nums" aria-label="Final invoices">
            <thead className="bg-slate-50 text-slate-700">
              <tr>
                <th className="px-3 py-2">Period</th>
                <th className="px-3 py-2 text-right">Total</th>
                <th className="px-3 py-2">Finalized (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {view.finals.map((f) => (
                <tr key={f.period} className="border-t border-slate-100">
                  <td className="px-3 py-2">
                    <Link className="text-blue-700 hover:underline" href={invoiceHref(f.period)}>
                      {f.period}
                    </Link>
                  </td>
                  <td className="px-3 py-2 text-right">{formatCents(f.totalCents, f.currency)}</td>
                  <td className="px-3 py-2">{f.finalizedAt.slice(0, 16).replace("T", " ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
