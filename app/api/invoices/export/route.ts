// GET /api/invoices/export?period=YYYY-MM[&tenant_id=…]: every invoice line of the period as CSV
// (columns: lib/pricing/invoice-export.ts). Ops sessions and API keys: every tenant; a tenant user: its own.
import { getDb } from "@/db/client";
import { authenticateRequest } from "@/lib/auth/request-auth";
import { BillingError } from "@/lib/errors";
import { withApiErrors } from "@/lib/http/api";
import { invoicesCsvStream } from "@/lib/pricing/invoice-export";
import { tenantScopeOf } from "@/lib/usage/caller-scope";
import { csvResponse } from "@/lib/usage/csv-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (request: Request) => {
  const caller = await authenticateRequest(request);
  const params = new URL(request.url).searchParams;
  const period = params.get("period");
  if (!period) throw new BillingError("invalid_input", "period is required, as YYYY-MM", { fieldErrors: { period: ["Period is required"] } });
  const tenantId = tenantScopeOf(caller, params.get("tenant_id") ?? undefined);
  const stream = await invoicesCsvStream(await getDb(), { period, tenantId });
  return csvResponse(stream, `invoices-${period}${tenantId ? `-${tenantId}` : ""}.csv`);
});
