// GET /api/invoices/{tenantId}/{YYYY-MM}: the invoice of a period (final as stored, else the draft).
// Ops sessions and API keys read any tenant's; a tenant user only its own (404 for any other).
import { getDb } from "@/db/client";
import { authenticateRequest } from "@/lib/auth/request-auth";
import { jsonResponse, withApiErrors } from "@/lib/http/api";
import { invoiceForCaller } from "@/lib/pricing/invoices";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (request: Request, { params }: { params: Promise<{ tenantId: string; period: string }> }) => {
  const caller = await authenticateRequest(request);
  return jsonResponse(await invoiceForCaller(await getDb(), caller, await params));
});
