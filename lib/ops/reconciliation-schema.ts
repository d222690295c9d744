// What the reconciliation start form accepts: shared by the form (client) and its server action.
import { z } from "zod";
import { accountSidSchema, periodSchema } from "@/lib/validation";

export const startReconciliationSchema = z.object({
  period: periodSchema,
  /** Empty: every configured account. */
  accountSid: z.union([z.literal(""), accountSidSchema]).default(""),
});
