// GET /api/invoices/export?period=YYYY-MM: one CSV row per tenant and invoice line (final invoices as
// stored, drafts as they are now), streamed: tenants are priced a keyset chunk at a time.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { billingPeriodFromMonth } from "@/lib/billing/periods";
import { BillingError } from "@/lib/errors";
import { csvStream } from "@/lib/usage/export";
import { parseInput, periodSchema, tenantIdSchema } from "@/lib/validation";
import { invoicesOfPeriod } from "./invoices";

/** The columns, in this order (invoicing tools read them by name and position). */
export const INVOICE_CSV_COLUMNS = [
  "period",
  "tenant_id",
  "tenant_name",
  "status",
  "currency",
  "finalized_at",
  "line_code",
  "line_description",
  "line_period",
  "quantity",
  "included",
  "billable",
  "unit_price",
  "amount_cents",
  "invoice_total_cents",
] as const;

const TENANTS_PER_CHUNK = 250;

export async function invoicesCsvStream(db: Db, input: { period: unknown; tenantId?: string }): Promise<ReadableStream<Uint8Array>> {
  const period = parseInput(periodSchema, input.period);
  const { start } = billingPeriodFromMonth(period);
  const only = input.tenantId === undefined ? undefined : parseInput(tenantIdSchema, input.tenantId);
  if (only) {
    const [known] = await queryRows<{ id: string }>(db, sql`select id from tenants where id = ${only}`);
    if (!known) throw new BillingError("not_found", `Unknown tenant "${only}"`);
  }
  return csvStream(INVOICE_CSV_COLUMNS, async function* () {
    let after = "";
    for (;;) {
      const chunk = await queryRows<{ id: string; name: string }>(
        db,
        sql`select t.id, t.name from tenants t
          where t.id > ${after} ${only ? sql`and t.id = ${only}` : sql``}
            and exists (select 1 from price_plans p where p.tenant_id = t.id and p.effective_from <= ${start}::date)
          order by t.id limit ${TENANTS_PER_CHUNK}`,
      );
      if (chunk.length === 0) return;
      const names = new Map(chunk.map((t) => [t.id, t.name]));
      const invoices = await invoicesOfPeriod(db, { period, tenantIds: chunk.map((t) => t.id) });
      yield invoices.flatMap((inv) =>
        inv.lines.map((l) => [
          inv.period,
          inv.tenant_id,
          names.get(inv.tenant_id),
          inv.status,
          inv.currency,
          inv.finalized_at ?? "",
          l.code,
          l.description,
          l.period,
          l.quantity,
          l.included,
          l.billable,
          l.unit_price,
          l.amount_cents,
          inv.total_cents,
        ]),
      );
      after = chunk[chunk.length - 1]!.id;
      if (chunk.length < TENANTS_PER_CHUNK) return;
    }
  });
}
