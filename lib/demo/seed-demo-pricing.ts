// Demo pricing, so a first start shows plans and invoices: a plan for two demo tenants from two months
// ago on, and last month's invoice of test-tenant-123 finalized (acme-dental's stays a draft, for the
// finalize button). Safe to run again: a tenant that has a plan is left as it is.
import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { pricePlans } from "@/db/schema";
import { billingPeriodFromMonth, billingPeriodOf, previousBillingPeriod } from "@/lib/billing/periods";
import { asBillingError } from "@/lib/errors";
import { finalizeInvoice } from "@/lib/pricing/invoices";
import { setPricePlan } from "@/lib/pricing/plans";
import type { PricePlanInput } from "@/lib/pricing/schemas";

export const DEMO_PLAN: PricePlanInput = {
  currency: "USD",
  number_monthly_fee: { local: "1.15", toll_free: "2.15" },
  charges: {
    voice_inbound_minutes: { unit_price: "0.0085", included: 100 },
    voice_outbound_minutes: { unit_price: "0.014", included: 0 },
    sms_inbound_segments: { unit_price: "0.0079", included: 50 },
    sms_outbound_segments: { unit_price: "0.0079", included: 0 },
    mms_inbound_messages: { unit_price: "0.02", included: 0 },
    mms_outbound_messages: { unit_price: "0.02", included: 0 },
    whatsapp_inbound_messages: { unit_price: "0.005", included: 0 },
    whatsapp_outbound_messages: { unit_price: "0.005", included: 0 },
  },
};

export async function seedDemoPricing(db: Db, now = new Date()): Promise<{ plans: number; finalInvoices: number }> {
  const lastMonth = previousBillingPeriod(billingPeriodFromMonth(billingPeriodOf(now).month)).month;
  // The plans start a month before last month (UTC), so they price every demo tenant's previous period
  // whatever its time zone: early on the 1st (UTC) it is still last month's last day in Vancouver.
  const plansFrom = previousBillingPeriod(billingPeriodFromMonth(lastMonth)).month;
  let plans = 0;
  for (const tenantId of ["test-tenant-123", "acme-dental"]) {
    const [existing] = await db.select({ id: pricePlans.id }).from(pricePlans).where(eq(pricePlans.tenantId, tenantId)).limit(1);
    if (existing) continue;
    await setPricePlan(db, { tenantId, plan: DEMO_PLAN, effectiveFrom: plansFrom }, { actor: "seed" });
    plans++;
  }
  let finalInvoices = 0;
  try {
    const invoice = await finalizeInvoice(db, { tenantId: "test-tenant-123", period: lastMonth }, { actor: "seed" });
    if (invoice.status === "final") finalInvoices++;
  } catch (err) {
    // Last month may not have ended yet in the tenant's time zone (the first hours of a month): no final invoice yet.
    if (asBillingError(err)?.code !== "conflict") throw err;
  }
  return { plans, finalInvoices };
}
