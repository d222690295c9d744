import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { PrintableInvoice } from "@/components/pricing/printable-invoice";
import { requireOpsPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { tenantDetail } from "@/lib/ops/tenants";
import { invoiceOf } from "@/lib/pricing/invoices";

export const metadata: Metadata = { title: "Invoice" };

export default async function OpsInvoicePage({ params }: { params: Promise<{ tenantId: string; period: string }> }) {
  await requireOpsPage();
  const { tenantId, period } = await params;
  const db = await getDb();
  const id = decodeURIComponent(tenantId);
  const found = await Promise.all([tenantDetail(db, id), invoiceOf(db, { tenantId: id, period })]).catch((err: unknown) => {
    const code = asBillingError(err)?.code;
    if (code === "not_found" || code === "invalid_input") notFound();
    throw err;
  });
  return <PrintableInvoice invoice={found[1]} tenantName={found[0].tenant.name} />;
}
