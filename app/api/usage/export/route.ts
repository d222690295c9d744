// GET /api/usage/export?period=YYYY-MM[&tenant_id=…]: the invoicing CSV, one row per tenant and number
// (columns: lib/usage/export.ts USAGE_CSV_COLUMNS). Ops sessions and API keys: any tenant; tenant users:
// their own only (another tenant's id is 404).
import { getDb } from "@/db/client";
import { authenticateRequest } from "@/lib/auth/request-auth";
import { withApiErrors } from "@/lib/http/api";
import { tenantScopeOf } from "@/lib/usage/caller-scope";
import { csvResponse } from "@/lib/usage/csv-response";
import { usageCsvStream } from "@/lib/usage/export";
import { BillingError } from "@/lib/errors";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (request: Request) => {
  const caller = await authenticateRequest(request);
  const params = new URL(request.url).searchParams;
  const period = params.get("period");
  if (!period) throw new BillingError("invalid_input", "period is required, as YYYY-MM", { fieldErrors: { period: ["Period is required"] } });
  const tenantId = tenantScopeOf(caller, params.get("tenant_id") ?? undefined);
  const stream = await usageCsvStream(await getDb(), { period, tenantId });
  return csvResponse(stream, `usage-${period}${tenantId ? `-${tenantId}` : ""}.csv`);
});
