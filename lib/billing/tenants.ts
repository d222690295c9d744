// Creating a tenant: the billing entity every mapping, counter and log entry belongs to (its billing
// time zone decides its periods; its allowances its alerts). Recorded with who did it.
import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { analyticsEvents, tenants } from "@/db/schema";
import { BillingError, isUniqueViolation } from "@/lib/errors";
import { parseInput, tenantIdSchema, timeZoneSchema, withoutNul } from "@/lib/validation";

const optionalAllowance = (label: string) =>
  z.preprocess(
    (v) => (v === "" || v === null || v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v),
    z.coerce
      .number({ error: `${label} must be a whole number` })
      .int({ error: `${label} must be a whole number` })
      .positive({ error: `${label} must be more than 0` })
      .max(100_000_000, { error: `${label} is too large` })
      .nullable(),
  );

export const createTenantSchema = z.object({
  id: tenantIdSchema,
  name: z
    .string({ error: "Name is required" })
    .trim()
    .min(1, { error: "Name is required" })
    .max(200, { error: "Name is at most 200 characters" })
    .refine(...withoutNul("Name")),
  billingTimeZone: timeZoneSchema,
  voiceMinutesAllowance: optionalAllowance("Voice minutes allowance").optional(),
  smsAllowance: optionalAllowance("SMS allowance").optional(),
});
export type CreateTenantInput = z.input<typeof createTenantSchema>;

export async function createTenant(db: Db, input: CreateTenantInput, ctx: { actor: string }) {
  const tenant = parseInput(createTenantSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(tenants).values(tenant).returning();
      await tx.insert(analyticsEvents).values({
        eventType: "tenant_created",
        tenantId: tenant.id,
        actor: ctx.actor,
        properties: { name: tenant.name, billing_time_zone: tenant.billingTimeZone },
      });
      return row!;
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new BillingError("conflict", `A tenant with ID ${tenant.id} already exists`, { fieldErrors: { id: ["This tenant ID is taken"] } });
    }
    throw err;
  }
}
