"use server";
import { revalidatePath } from "next/cache";
import { createTenant, createTenantSchema } from "@/lib/billing/tenants";
import { opsAction } from "@/lib/safe-action";

export const createTenantAction = opsAction(createTenantSchema, async (input, { db, actor }) => {
  const tenant = await createTenant(db, input, { actor });
  revalidatePath("/ops/tenants");
  return { id: tenant.id };
});
