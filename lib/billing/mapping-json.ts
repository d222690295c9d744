// A mapping as the JSON API shows it: the original design's snake_case column names.
import type { PhoneMapping } from "./mapping";

export interface MappingJson {
  id: string;
  tenant_id: string;
  twilio_number_sid: string;
  phone_number: string;
  number_type: string;
  provisioned_at: string;
  deprovisioned_at: string | null;
  created_at: string;
  updated_at: string;
}

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
