// GET /api/invoices/export?period=YYYY-MM[&tenant_id=…]: every invoice line of the period as CSV
// (columns: lib/pricing/invoice-export.ts). Ops sessions and API keys: every tenant; a tenant user: its own.
import { invoicesCsvStream } from "@/lib/pricing/invoice-export";
import { periodCsvRoute } from "@/lib/usage/period-csv-route";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = periodCsvRoute("invoices", invoicesCsvStream);
