"use server";
import { revalidatePath } from "next/cache";
import { createTenant, createTenantSchema } from "@/lib/billing/tenants";
import { searchTenants, tenantSearchSchema } from "@/lib/ops/tenants";
import { finalizeInvoice } from "@/lib/pricing/invoices";
import { setPricePlan } from "@/lib/pricing/plans";
import { invoicePathSchema, setPricePlanActionSchema } from "@/lib/pricing/schemas";
import { opsAction } from "@/lib/safe-action";

export const createTenantAction = opsAction(createTenantSchema, async (input, { db, actor }) => {
  const tenant = await createTenant(db, input, { actor });
  revalidatePath("/ops/tenants");
  return { id: tenant.id };
});

/** A tenant picker's matches for what was typed: at most TENANT_MATCHES, never the whole list. */
export const findTenantsAction = opsAction(tenantSearchSchema, async (input, { db }) => searchTenants(db, input.q));

/** The plan form: the same body as PUT /api/ops/tenants/{tenantId}/price-plan. */
export const setPricePlanAction = opsAction(setPricePlanActionSchema, async (input, { db, actor }) => {
  const plan = await setPricePlan(db, { tenantId: input.tenantId, plan: input.plan }, { actor });
  revalidatePath(`/ops/tenants/${input.tenantId}`);
  return { effectiveFrom: plan.effective_from };
});

/** The finalize button: as POST /api/invoices/{tenantId}/{period}/finalize. */
export const finalizeInvoiceAction = opsAction(invoicePathSchema, async (input, { db, actor }) => {
  const invoice = await finalizeInvoice(db, input, { actor });
  revalidatePath(`/ops/tenants/${input.tenantId}`);
  return { totalCents: invoice.total_cents, finalizedAt: invoice.finalized_at };
});
