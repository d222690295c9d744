// What the invoice screens show for one tenant: the invoice to date (current period), the previous
// period's invoice (draft until finalized), the final invoices, newest first, and the plan.
import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { finalInvoices, tenants } from "@/db/schema";
import { billingPeriodFromMonth, billingPeriodOf, previousBillingPeriod } from "@/lib/billing/periods";
import { asBillingError, BillingError } from "@/lib/errors";
import { centsOf } from "./money";
import { invoiceOf } from "./invoices";
import { pricePlanOf } from "./plans";
import type { Invoice, PricePlanResponse } from "./schemas";

export interface FinalInvoiceSummary {
  period: string;
  currency: string;
  totalCents: number;
  finalizedAt: string;
  finalizedBy: string;
}

export interface TenantInvoicesView {
  tenantId: string;
  timeZone: string;
  currentPeriod: string;
  previousPeriod: string;
  /** The current period's draft so far, and the previous period's invoice (null: no plan prices it). */
  toDate: Invoice | null;
  previous: Invoice | null;
  finals: FinalInvoiceSummary[];
  plan: PricePlanResponse | null;
}

/** The invoice, or null when the tenant has no plan for the period (a 404 the screens show as text). */
export async function invoiceOrNull(db: Db, input: { tenantId: string; period: string }): Promise<Invoice | null> {
  try {
    return await invoiceOf(db, input);
  } catch (err) {
    if (asBillingError(err)?.code === "not_found") return null;
    throw err;
  }
}

export async function tenantInvoicesView(db: Db, tenantId: string, now = new Date()): Promise<TenantInvoicesView> {
  const [tenant] = await db.select({ id: tenants.id, timeZone: tenants.billingTimeZone }).from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) throw new BillingError("not_found", `Unknown tenant "${tenantId}"`);
  const current = billingPeriodOf(now, tenant.timeZone);
  const previous = previousBillingPeriod(billingPeriodFromMonth(current.month));
  const [toDate, previousInvoice, finals, plan] = await Promise.all([
    invoiceOrNull(db, { tenantId, period: current.month }),
    invoiceOrNull(db, { tenantId, period: previous.month }),
    db.select().from(finalInvoices).where(eq(finalInvoices.tenantId, tenantId)).orderBy(desc(finalInvoices.periodStart)).limit(36),
    pricePlanOf(db, { tenantId }),
  ]);
  return {
    tenantId,
    timeZone: tenant.timeZone,
    currentPeriod: current.month,
    previousPeriod: previous.month,
    toDate,
    previous: previousInvoice,
    finals: finals.map((f) => ({
      period: f.periodStart.slice(0, 7),
      currency: f.currency,
      totalCents: centsOf(f.totalCents),
      finalizedAt: new Date(f.finalizedAt).toISOString(),
      finalizedBy: f.finalizedBy,
    })),
    plan,
  };
}
