// Invoices: a period's draft (computed from the counters, numbers and plan by the SQL functions of
// db/functions/80-pricing.sql, set-based for any number of tenants) or its final invoice (stored once
// by finalize_invoice and read back exactly as it was).
import "server-only";
import { eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { tenants } from "@/db/schema";
import type { Caller } from "@/lib/auth/request-auth";
import { billingPeriodFromMonth } from "@/lib/billing/periods";
import { BillingError, rethrowAsBillingError } from "@/lib/errors";
import { tenantScopeOf } from "@/lib/usage/caller-scope";
import { parseInput } from "@/lib/validation";
import { canonicalPrice, centsOf } from "./money";
import { classifyMappedNumbers } from "./number-classes";
import { invoicePathSchema, type Invoice } from "./schemas";

interface LineRow {
  tenant_id: string;
  status: "draft" | "final";
  currency: string;
  finalized_at: string | null;
  line_position: number;
  code: string;
  description: string;
  line_period: string;
  quantity: string;
  included: string;
  billable: string;
  unit_price: string;
  amount_cents: string;
}

/** SQL text[] of tenant ids (passed as JSON: one parameter whatever the driver). */
export const tenantIdArray = (ids: string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`;

/**
 * The invoices of one period, one per tenant with a plan for it (final ones as stored, the others as
 * drafts), ordered by tenant: every tenant (`tenantIds` undefined) or the listed ones.
 */
export async function invoicesOfPeriod(db: Db, input: { period: string; tenantIds?: string[] }): Promise<Invoice[]> {
  const { start, month } = billingPeriodFromMonth(input.period);
  await classifyMappedNumbers(db, input.tenantIds);
  const rows = await queryRows<LineRow>(
    db,
    sql`select tenant_id, status, currency,
        to_char(finalized_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as finalized_at,
        line_position, code, description, to_char(line_period, 'YYYY-MM') as line_period,
        quantity::text, included::text, billable::text, unit_price::text, amount_cents::text
      from invoice_lines_of_period(${start}::date, ${input.tenantIds ? tenantIdArray(input.tenantIds) : sql`null::text[]`})
      order by tenant_id, line_position`,
  );
  const invoices: Invoice[] = [];
  let current: Invoice | undefined;
  for (const r of rows) {
    if (current?.tenant_id !== r.tenant_id) {
      current = { tenant_id: r.tenant_id, period: month, currency: r.currency, status: r.status, lines: [], total_cents: 0, finalized_at: r.finalized_at };
      invoices.push(current);
    }
    const amount = centsOf(r.amount_cents);
    current.lines.push({
      code: r.code,
      description: r.description,
      period: r.line_period,
      quantity: centsOf(r.quantity),
      included: centsOf(r.included),
      billable: centsOf(r.billable),
      unit_price: canonicalPrice(r.unit_price),
      amount_cents: amount,
    });
    current.total_cents += amount;
  }
  return invoices;
}

async function requireTenant(db: Db, tenantId: string): Promise<void> {
  const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw new BillingError("not_found", `Unknown tenant "${tenantId}"`);
}

/** One tenant's invoice of one period: final as stored, else the draft. 404: unknown tenant, no plan. */
export async function invoiceOf(db: Db, input: { tenantId: string; period: string }): Promise<Invoice> {
  const { tenantId, period } = parseInput(invoicePathSchema, input);
  await requireTenant(db, tenantId);
  const [invoice] = await invoicesOfPeriod(db, { period, tenantIds: [tenantId] });
  if (!invoice) throw new BillingError("not_found", `Tenant "${tenantId}" has no price plan for ${period}: set one with PUT /api/ops/tenants/${tenantId}/price-plan`);
  return invoice;
}

/** What a caller may read: ops any tenant's invoice, a tenant user only its own (404 for any other). */
export async function invoiceForCaller(db: Db, caller: Caller, input: { tenantId: string; period: string }): Promise<Invoice> {
  return invoiceOf(db, { ...input, tenantId: tenantScopeOf(caller, input.tenantId)! });
}

/**
 * Finalizes a tenant's invoice of a period once the period has ended in the tenant's time zone (409
 * before); a repeat returns the invoice as it was finalized. `now` stands in for the clock in tests.
 */
export async function finalizeInvoice(db: Db, input: { tenantId: string; period: string }, ctx: { actor: string; now?: Date }): Promise<Invoice> {
  const { tenantId, period } = parseInput(invoicePathSchema, input);
  await classifyMappedNumbers(db, [tenantId]);
  try {
    await db.execute(
      sql`select finalize_invoice(${tenantId}, ${billingPeriodFromMonth(period).start}::date, ${ctx.actor},
        ${ctx.now ? sql`${ctx.now.toISOString()}::timestamptz` : sql`now()`})`,
    );
  } catch (err) {
    rethrowAsBillingError(err);
  }
  return invoiceOf(db, { tenantId, period });
}
