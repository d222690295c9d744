// A mapping as the JSON API shows it: the original design's snake_case column names. The zod schemas
// describe the mapping API's answer in the OpenAPI document (lib/http/openapi.ts).
import { z } from "zod";
import { numberTypes } from "@/db/schema";
import type { PhoneMapping } from "./mapping";

export const mappingJsonSchema = z
  .object({
    id: z.uuid(),
    tenant_id: z.string(),
    twilio_number_sid: z.string(),
    phone_number: z.string(),
    number_type: z.enum(numberTypes),
    provisioned_at: z.iso.datetime(),
    deprovisioned_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Mapping" });
export type MappingJson = z.output<typeof mappingJsonSchema>;

export const mapNumberResponseSchema = z
  .object({
    success: z.literal(true),
    created: z.boolean(),
    mapping: mappingJsonSchema,
    message: z.string(),
    evidence: z.string(),
    transferred_from: z.string().optional(),
  })
  .meta({ id: "MapNumberResponse" });

export function mappingJsonOf(mapping: PhoneMapping): MappingJson {
  return {
    id: mapping.id,
    tenant_id: mapping.tenantId,
    twilio_number_sid: mapping.twilioNumberSid,
    phone_number: mapping.phoneNumber,
    number_type: mapping.numberType,
    provisioned_at: mapping.provisionedAt.toISOString(),
    deprovisioned_at: mapping.deprovisionedAt?.toISOString() ?? null,
    created_at: mapping.createdAt.toISOString(),
    updated_at: mapping.updatedAt.toISOString(),
  };
}
