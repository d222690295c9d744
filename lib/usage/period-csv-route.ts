// The route of a period's CSV download: GET ?period=YYYY-MM[&tenant_id=…]. Ops sessions and API keys:
// every tenant (or the one named); a tenant user: its own only (another tenant's id is 404).
import "server-only";
import { getDb, type Db } from "@/db/client";
import { authenticateRequest } from "@/lib/auth/request-auth";
import { BillingError } from "@/lib/errors";
import { withApiErrors } from "@/lib/http/api";
import { tenantScopeOf } from "./caller-scope";
import { csvResponse } from "./csv-response";

export function periodCsvRoute(
  name: string,
  streamOf: (db: Db, input: { period: string; tenantId?: string }) => Promise<ReadableStream<Uint8Array>>,
): (request: Request) => Promise<Response> {
  return withApiErrors(async (request: Request) => {
    const caller = await authenticateRequest(request);
    const params = new URL(request.url).searchParams;
    const period = params.get("period");
    if (!period) throw new BillingError("invalid_input", "period is required, as YYYY-MM", { fieldErrors: { period: ["Period is required"] } });
    const tenantId = tenantScopeOf(caller, params.get("tenant_id") ?? undefined);
    const stream = await streamOf(await getDb(), { period, tenantId });
    return csvResponse(stream, `${name}-${period}${tenantId ? `-${tenantId}` : ""}.csv`);
  });
}
