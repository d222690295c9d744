// The mapping input, declared once: the ops form's resolver, its server action, the JSON API and
// lib/billing all parse with these.
import { z } from "zod";
import { numberTypes } from "@/db/schema";
import { e164Schema, tenantIdSchema, twilioNumberSidSchema } from "@/lib/validation";

export const numberTypeSchema = z.enum(numberTypes, { error: "Number type must be voice, sms or both" });

export const mapNumberSchema = z.object({
  tenantId: tenantIdSchema,
  twilioNumberSid: twilioNumberSidSchema,
  phoneNumber: e164Schema,
  numberType: numberTypeSchema.default("both"),
  /** Move a number another tenant holds: ends that mapping and starts this one. */
  transfer: z.boolean().default(false),
});
export type MapNumberInput = z.input<typeof mapNumberSchema>;

/** The JSON API's body: the original design's snake_case names. */
export const mapNumberApiSchema = z
  .object({
    tenant_id: tenantIdSchema,
    twilio_number_sid: twilioNumberSidSchema,
    phone_number: e164Schema,
    number_type: numberTypeSchema.default("both"),
    transfer: z.boolean({ error: "transfer must be true or false" }).default(false),
  })
  .transform((b) => ({
    tenantId: b.tenant_id,
    twilioNumberSid: b.twilio_number_sid,
    phoneNumber: b.phone_number,
    numberType: b.number_type,
    transfer: b.transfer,
  }));

export const deprovisionSchema = z.object({
  phoneNumber: e164Schema,
});
