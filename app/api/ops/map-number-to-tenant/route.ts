// POST /api/ops/map-number-to-tenant: the original design's edge function ops-map-number-to-tenant.
// Authorization: Bearer <api key>; JSON { tenant_id, twilio_number_sid, phone_number, number_type?, transfer? }.
import { getDb } from "@/db/client";
import { authenticateApiKeyRequest } from "@/lib/auth/request-auth";
import { mapNumberApiSchema, mapNumberToTenant } from "@/lib/billing";
import { mappingJsonOf } from "@/lib/billing/mapping-json";
import { jsonResponse, readJsonBody, withApiErrors } from "@/lib/http/api";
import { parseInput } from "@/lib/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (request: Request) => {
  const { actor } = await authenticateApiKeyRequest(request);
  const input = parseInput(mapNumberApiSchema, await readJsonBody(request));
  const result = await mapNumberToTenant(await getDb(), input, { actor });
  return jsonResponse({
    success: true,
    created: result.created,
    mapping: mappingJsonOf(result.mapping),
    message: result.message,
    evidence: result.evidence,
    ...(result.transferredFrom ? { transferred_from: result.transferredFrom } : {}),
  });
});
