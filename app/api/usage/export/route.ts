// GET /api/usage/export?period=YYYY-MM[&tenant_id=…]: the invoicing CSV, one row per tenant and number
// (columns: lib/usage/export.ts USAGE_CSV_COLUMNS). Ops sessions and API keys: any tenant; tenant users:
// their own only (another tenant's id is 404).
import { usageCsvStream } from "@/lib/usage/export";
import { periodCsvRoute } from "@/lib/usage/period-csv-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = periodCsvRoute("usage", usageCsvStream);
