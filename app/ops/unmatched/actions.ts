"use server";
import { revalidatePath } from "next/cache";
import { assignUnmatchedEvent, assignUnmatchedSchema, dismissUnmatchedEvent, dismissUnmatchedSchema } from "@/lib/billing/unmatched-resolution";
import { opsAction } from "@/lib/safe-action";

export const assignUnmatchedAction = opsAction(assignUnmatchedSchema, async (input, { db, actor }) => {
  const result = await assignUnmatchedEvent(db, input, { actor });
  revalidatePath("/ops/unmatched");
  return result;
});

export const dismissUnmatchedAction = opsAction(dismissUnmatchedSchema, async (input, { db, actor }) => {
  const result = await dismissUnmatchedEvent(db, input, { actor });
  revalidatePath("/ops/unmatched");
  return result;
});
