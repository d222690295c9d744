// The pricing contract, declared once: the plan body serves the API route, the plan form's resolver, its
// server action and the OpenAPI document; the plan and invoice responses serve the routes' shaping and
// the OpenAPI document (tests check real responses against it).
import { z } from "zod";
import { numberClasses, pricedMetrics } from "@/db/schema";
import { periodSchema, tenantIdSchema } from "@/lib/validation";
import { PRICE_PATTERN } from "./money";

const currencies = new Set(Intl.supportedValuesOf("currency"));

/** Currencies whose minor unit is the cent (2 decimals): amounts are integer cents. */
export function isCentCurrency(code: string): boolean {
  if (!currencies.has(code)) return false;
  return new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions().maximumFractionDigits === 2;
}

export const currencySchema = z
  .string({ error: "Currency is required, as an ISO 4217 code such as USD" })
  .regex(/^[A-Z]{3}$/, { error: "Currency must be an ISO 4217 code such as USD" })
  .refine((code) => currencies.has(code), { error: "Currency is not an ISO 4217 code" })
  .refine(isCentCurrency, { error: "Currency must have cents (2 decimals): amounts are billed in cents" })
  .meta({ description: "ISO 4217 code of a currency with cents", example: "USD" });

export const priceSchema = (label: string) =>
  z
    .string({ error: `${label} must be a decimal string such as "0.0085"` })
    .regex(PRICE_PATTERN, { error: `${label} must be a decimal string >= 0 with at most 6 decimals, such as "0.0085"` })
    .meta({ description: "Decimal string >= 0, at most 6 decimals", example: "0.0085" });

const includedSchema = z
  .number({ error: "Included must be a whole number >= 0" })
  .int({ error: "Included must be a whole number >= 0" })
  .min(0, { error: "Included must be a whole number >= 0" })
  .max(1_000_000_000_000, { error: "Included is at most 1,000,000,000,000" });

export const chargeSchema = z.strictObject(
  {
    unit_price: priceSchema("Unit price"),
    included: includedSchema.default(0).meta({ description: "Units included before billing starts" }),
  },
  { error: "A charge is { unit_price, included }" },
);

const metricShape = Object.fromEntries(pricedMetrics.map((m) => [m, chargeSchema.optional()])) as Record<
  (typeof pricedMetrics)[number],
  z.ZodOptional<typeof chargeSchema>
>;

export const chargesSchema = z.strictObject(metricShape, {
  error: (issue) =>
    issue.code === "unrecognized_keys"
      ? `Unknown metric ${issue.keys.map((k) => `"${k}"`).join(", ")}: the metrics are ${pricedMetrics.join(", ")}`
      : "Charges must be an object keyed by metric",
});

export const numberMonthlyFeeSchema = z.strictObject(
  { local: priceSchema("Local number fee"), toll_free: priceSchema("Toll-free number fee") },
  { error: "number_monthly_fee is { local, toll_free }" },
);

/** PUT /api/ops/tenants/{tenantId}/price-plan, and the plan form's values. */
export const pricePlanSchema = z
  .strictObject(
    {
      currency: currencySchema,
      number_monthly_fee: numberMonthlyFeeSchema,
      charges: chargesSchema.default({}),
    },
    { error: "The body must be a price plan object" },
  )
  .meta({ id: "PricePlanInput", description: "A tenant's price plan. A metric left out of charges is not billed." });
export type PricePlanInput = z.input<typeof pricePlanSchema>;
export type PricePlan = z.output<typeof pricePlanSchema>;

/** The plan form's server action: the tenant and the same plan body. */
export const setPricePlanActionSchema = z.object({ tenantId: tenantIdSchema, plan: pricePlanSchema });

const storedChargeSchema = z.object({ unit_price: z.string(), included: z.int().min(0) });
const planVersionSchema = z.object({
  effective_from: z.string().meta({ description: "The first period (YYYY-MM) this version prices" }),
  currency: z.string(),
  number_monthly_fee: z.object({ local: z.string(), toll_free: z.string() }),
  charges: z.partialRecord(z.enum(pricedMetrics), storedChargeSchema),
  created_at: z.iso.datetime(),
  created_by: z.string(),
});

export const pricePlanResponseSchema = z
  .object({
    success: z.literal(true),
    tenant_id: z.string(),
    ...planVersionSchema.shape,
    history: z.array(planVersionSchema).meta({ description: "Every version, newest first (this one included)" }),
  })
  .meta({ id: "PricePlan" });
export type PricePlanResponse = z.output<typeof pricePlanResponseSchema>;
export type PlanVersion = z.output<typeof planVersionSchema>;

export const invoiceLineSchema = z
  .object({
    code: z.string().meta({ description: `A metric, number_fee_${numberClasses.join(" / number_fee_")}, or late_usage` }),
    description: z.string(),
    period: z.string().meta({ description: "YYYY-MM billed: the invoice's own, or the final period a late-usage line corrects" }),
    quantity: z.int(),
    included: z.int(),
    billable: z.int(),
    unit_price: z.string(),
    amount_cents: z.int(),
  })
  .meta({ id: "InvoiceLine" });

export const invoiceSchema = z
  .object({
    tenant_id: z.string(),
    period: z.string(),
    currency: z.string(),
    status: z.enum(["draft", "final"]),
    lines: z.array(invoiceLineSchema),
    total_cents: z.int(),
    finalized_at: z.iso.datetime().nullable(),
  })
  .meta({ id: "Invoice" });
export type Invoice = z.output<typeof invoiceSchema>;
export type InvoiceLine = z.output<typeof invoiceLineSchema>;

export const invoicePathSchema = z.object({ tenantId: tenantIdSchema, period: periodSchema });
