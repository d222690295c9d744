"use server";
import { revalidatePath } from "next/cache";
import { postUsageAdjustment, usageAdjustmentSchema } from "@/lib/billing/adjustments";
import { opsAction } from "@/lib/safe-action";

export const postAdjustmentAction = opsAction(usageAdjustmentSchema, async (input, { db, actor }) => {
  const result = await postUsageAdjustment(db, input, { actor });
  revalidatePath("/ops/usage");
  return { counted: result.counted, logId: result.logId };
});
