"use server";
import { revalidatePath } from "next/cache";
import { startReconciliationSchema } from "@/lib/ops/reconciliation-schema";
import { opsAction } from "@/lib/safe-action";
import { startReconciliation } from "@/lib/twilio/reconciliation/reconcile";

// Starts the runs (a second run of an account and period is refused here, at once) and lets them go on
// in the background; the page shows their progress from reconciliation_runs.
export const startReconciliationAction = opsAction(startReconciliationSchema, async (input, { db, actor }) => {
  const started = await startReconciliation(db, { period: input.period, accountSid: input.accountSid || undefined, startedBy: actor });
  started.done.catch((err: unknown) => console.error("[reconciliation] background run failed:", err instanceof Error ? err.message : err));
  revalidatePath("/ops/reconciliation");
  return { runIds: started.runs.map((r) => r.runId) };
});
