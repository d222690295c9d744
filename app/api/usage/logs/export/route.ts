// GET /api/usage/logs/export?[tenant=…&number=…&type=…&kind=…&sid=…&from=…&to=…]: the filtered audit log
// as CSV (columns: AUDIT_LOG_CSV_COLUMNS), newest first; the same filters as the log browser's URL.
import { getDb } from "@/db/client";
import { authenticateRequest } from "@/lib/auth/request-auth";
import { withApiErrors } from "@/lib/http/api";
import { auditLogFiltersSchema } from "@/lib/usage/audit-log";
import { tenantScopeOf } from "@/lib/usage/caller-scope";
import { csvResponse } from "@/lib/usage/csv-response";
import { auditLogCsvStream } from "@/lib/usage/export";
import { parseInput } from "@/lib/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (request: Request) => {
  const caller = await authenticateRequest(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const filters = parseInput(auditLogFiltersSchema, params);
  const tenant = tenantScopeOf(caller, filters.tenant);
  const stream = await auditLogCsvStream(await getDb(), { filters: { ...filters, tenant } });
  return csvResponse(stream, `audit-log${tenant ? `-${tenant}` : ""}.csv`);
});
