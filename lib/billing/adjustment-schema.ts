// What an ops adjustment accepts: shared by the console form (client) and postUsageAdjustment (server).
import { z } from "zod";
import { smsDirections, usageTypes } from "@/db/schema";
import { periodSchema, tenantIdSchema, withoutNul } from "@/lib/validation";

export const adjustmentDirections = ["debit", "credit"] as const;

export const usageAdjustmentSchema = z.object({
  tenantId: tenantIdSchema,
  phoneMappingId: z.uuid({ error: "Choose the number to adjust" }),
  period: periodSchema,
  usageType: z.enum(usageTypes, { error: "Usage type must be voice or sms" }),
  /** debit adds usage (the tenant pays more); credit removes it. */
  direction: z.enum(adjustmentDirections, { error: "Choose credit or debit" }),
  /** Which way the adjusted usage went: Twilio prices inbound and outbound minutes (and messages) apart. */
  usageDirection: z.enum(smsDirections, { error: "Choose inbound or outbound" }).default("inbound"),
  quantity: z.coerce
    .number({ error: "Quantity must be a whole number" })
    .int({ error: "Quantity must be a whole number" })
    .min(1, { error: "Quantity must be at least 1" })
    .max(1_000_000, { error: "Quantity must be at most 1,000,000" }),
  reason: z
    .string({ error: "A reason is required" })
    .trim()
    .min(3, { error: "A reason is required (at least 3 characters)" })
    .max(500, { error: "The reason is at most 500 characters" })
    .refine(...withoutNul("The reason")),
  /** Makes a resubmitted form count once; the form sends one per attempt. */
  idempotencyKey: z.string().trim().min(8).max(100).regex(/^[A-Za-z0-9_-]+$/).optional(),
});
