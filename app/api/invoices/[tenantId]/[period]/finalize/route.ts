// POST /api/invoices/{tenantId}/{YYYY-MM}/finalize (ops session or API key): stores the invoice as it is
// now, once the period has ended in the tenant's time zone (409 before). Idempotent.
import { getDb } from "@/db/client";
import { authenticateOpsRequest } from "@/lib/auth/request-auth";
import { jsonResponse, withApiErrors } from "@/lib/http/api";
import { finalizeInvoice } from "@/lib/pricing/invoices";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withApiErrors(async (request: Request, { params }: { params: Promise<{ tenantId: string; period: string }> }) => {
  const { actor } = await authenticateOpsRequest(request);
  return jsonResponse(await finalizeInvoice(await getDb(), await params, { actor }));
});
