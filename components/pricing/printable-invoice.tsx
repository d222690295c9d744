// A printable invoice (print styles: the browser makes the PDF): who, which period, the lines, the total.
import type { Invoice } from "@/lib/pricing/schemas";
import { InvoiceTable } from "./invoice-table";
import { PrintButton } from "./print-button";

export function PrintableInvoice({ invoice, tenantName }: { invoice: Invoice; tenantName: string }) {
  return (
    <article className="mx-auto flex max-w-3xl flex-col gap-6 bg-white p-6 print:max-w-none print:p-0" aria-label={`Invoice ${invoice.period}`}>
      <header className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Invoice {invoice.period}</h1>
          <p className="text-slate-700">
            {tenantName} <span className="font-mono text-slate-500">({invoice.tenant_id})</span>
          </p>
          <p className="text-sm text-slate-600">
            {invoice.status === "final" ? `Final since ${invoice.finalized_at?.slice(0, 10)}` : "Draft: figures to date, not final"} · amounts in {invoice.currency}
          </p>
        </div>
        <PrintButton />
      </header>
      <InvoiceTable invoice={invoice} caption={`Lines of ${invoice.period}`} />
    </article>
  );
}
