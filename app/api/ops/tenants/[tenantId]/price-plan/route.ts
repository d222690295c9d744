// GET / PUT /api/ops/tenants/{tenantId}/price-plan: a tenant's price plan (ops session or API key).
// PUT's JSON body is lib/pricing/schemas.ts pricePlanSchema; it applies from the tenant's current period.
import { getDb } from "@/db/client";
import { authenticateOpsRequest } from "@/lib/auth/request-auth";
import { BillingError } from "@/lib/errors";
import { jsonResponse, readJsonBody, withApiErrors } from "@/lib/http/api";
import { pricePlanOf, setPricePlan } from "@/lib/pricing/plans";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Context = { params: Promise<{ tenantId: string }> };

export const GET = withApiErrors(async (request: Request, { params }: Context) => {
  await authenticateOpsRequest(request);
  const { tenantId } = await params;
  const period = new URL(request.url).searchParams.get("period") ?? undefined;
  const plan = await pricePlanOf(await getDb(), { tenantId, period });
  if (!plan) throw new BillingError("not_found", `Tenant "${tenantId}" has no price plan${period ? ` for ${period}` : ""}`);
  return jsonResponse(plan);
});

export const PUT = withApiErrors(async (request: Request, { params }: Context) => {
  const { actor } = await authenticateOpsRequest(request);
  const { tenantId } = await params;
  const plan = await readJsonBody(request);
  return jsonResponse(await setPricePlan(await getDb(), { tenantId, plan: plan as never }, { actor }));
});
