// One invoice: its lines (quantity, included, billable, unit price, amount) and total, as the API gives them.
import { formatCents } from "@/lib/pricing/money";
import type { Invoice } from "@/lib/pricing/schemas";

const fmt = (n: number) => n.toLocaleString("en-US");

export function InvoiceTable({ invoice, caption }: { invoice: Invoice; caption: string }) {
  return (
    <table className="w-full text-left text-sm tabular-nums" data-invoice={`${invoice.tenant_id}/${invoice.period}`} data-status={invoice.status}>
      <caption className="pb-2 text-left font-medium">
        {caption}{" "}
        <span className={`ml-1 rounded px-2 py-0.5 text-xs ${invoice.status === "final" ? "bg-emerald-100 text-emerald-900" : "bg-amber-100 text-amber-900"}`}>
          {invoice.status === "final" ? `Final, ${invoice.finalized_at?.slice(0, 16).replace("T", " ")} UTC` : "Draft"}
        </span>
      </caption>
      <thead className="bg-slate-50 text-slate-700">
        <tr>
          <th className="px-3 py-2">Line</th>
          <th className="px-3 py-2">Period</th>
          <th className="px-3 py-2 text-right">Quantity</th>
          <th className="px-3 py-2 text-right">Included</th>
          <th className="px-3 py-2 text-right">Billable</th>
          <th className="px-3 py-2 text-right">Unit price</th>
          <th className="px-3 py-2 text-right">Amount</th>
        </tr>
      </thead>
      <tbody>
        {invoice.lines.map((l, i) => (
          <tr key={i} className="border-t border-slate-100" data-line={l.code}>
            <td className="px-3 py-2">{l.description}</td>
            <td className="px-3 py-2">{l.period}</td>
            <td className="px-3 py-2 text-right">{fmt(l.quantity)}</td>
            <td className="px-3 py-2 text-right">{fmt(l.included)}</td>
            <td className="px-3 py-2 text-right">{fmt(l.billable)}</td>
            <td className="px-3 py-2 text-right">{l.unit_price}</td>
            <td className="px-3 py-2 text-right" data-amount-cents={l.amount_cents}>
              {formatCents(l.amount_cents, invoice.currency)}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr className="border-t-2 border-slate-300 font-semibold">
          <td className="px-3 py-2" colSpan={6}>
            Total
          </td>
          <td className="px-3 py-2 text-right" data-total-cents={invoice.total_cents}>
            {formatCents(invoice.total_cents, invoice.currency)}
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
