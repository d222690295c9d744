import type { Metadata } from "next";
import { eq } from "drizzle-orm";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { tenants } from "@/db/schema";
import { PrintableInvoice } from "@/components/pricing/printable-invoice";
import { requireTenantPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { invoiceOf } from "@/lib/pricing/invoices";

export const metadata: Metadata = { title: "Your invoice" };

export default async function TenantInvoicePage({
  params,
  searchParams,
}: {
  params: Promise<{ period: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  // The tenant comes from the session only, never from the URL; naming another one is a 404.
  const { tenantId } = await requireTenantPage();
  const { period } = await params;
  const query = await searchParams;
  for (const key of ["tenant", "tenant_id"]) if (query[key] && query[key] !== tenantId) notFound();
  const db = await getDb();
  const invoice = await invoiceOf(db, { tenantId, period }).catch((err: unknown) => {
    const code = asBillingError(err)?.code;
    if (code === "not_found" || code === "invalid_input") notFound();
    throw err;
  });
  const [tenant] = await db.select({ name: tenants.name }).from(tenants).where(eq(tenants.id, tenantId));
  return <PrintableInvoice invoice={invoice} tenantName={tenant?.name ?? tenantId} />;
}
