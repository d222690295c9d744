"use server";
import { revalidatePath } from "next/cache";
import { createTenant, createTenantSchema } from "@/lib/billing/tenants";
import { searchTenants, tenantSearchSchema } from "@/lib/ops/tenants";
import { opsAction } from "@/lib/safe-action";

export const createTenantAction = opsAction(createTenantSchema, async (input, { db, actor }) => {
  const tenant = await createTenant(db, input, { actor });
  revalidatePath("/ops/tenants");
  return { id: tenant.id };
});

/** A tenant picker's matches for what was typed: at most TENANT_MATCHES, never the whole list. */
export const findTenantsAction = opsAction(tenantSearchSchema, async (input, { db }) => searchTenants(db, input.q));
