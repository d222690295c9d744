import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { LogEntryView } from "@/components/usage/log-browser";
import { requireTenantPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { auditLogEntry } from "@/lib/usage/audit-log";

export const metadata: Metadata = { title: "Log entry" };

export default async function TenantLogEntryPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireTenantPage();
  const { id } = await params;
  // Another tenant's entry is 404, exactly like one that does not exist.
  const entry = await auditLogEntry(await getDb(), { id, tenantId: user.tenantId }).catch((err: unknown) => {
    const known = asBillingError(err);
    if (known && known.status < 500) notFound();
    throw err;
  });
  return <LogEntryView entry={entry} backHref="/usage/logs" />;
}
