"use server";
// Server actions of the numbers screens: each parses its input with the same zod schema as the form,
// checks the ops session, and makes one lib/billing call.
import { revalidatePath } from "next/cache";
import { deprovisionSchema, mapNumberSchema, mapNumberToTenant, deprovisionNumber } from "@/lib/billing";
import { opsAction } from "@/lib/safe-action";

export const mapNumberAction = opsAction(mapNumberSchema, async (input, { db, actor }) => {
  const result = await mapNumberToTenant(db, input, { actor });
  revalidatePath("/ops/numbers");
  return {
    created: result.created,
    evidence: result.evidence,
    message: result.message,
    mappingId: result.mapping.id,
    transferredFrom: result.transferredFrom ?? null,
  };
});

export const deprovisionNumberAction = opsAction(deprovisionSchema, async (input, { db, actor }) => {
  const ended = await deprovisionNumber(db, input, { actor });
  revalidatePath("/ops/numbers");
  return { phoneNumber: ended.phoneNumber, tenantId: ended.tenantId };
});
