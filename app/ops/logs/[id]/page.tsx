import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { LogEntryView } from "@/components/usage/log-browser";
import { requireOpsPage } from "@/lib/auth/session";
import { asBillingError } from "@/lib/errors";
import { auditLogEntry } from "@/lib/usage/audit-log";

export const metadata: Metadata = { title: "Log entry" };

export default async function OpsLogEntryPage({ params }: { params: Promise<{ id: string }> }) {
  await requireOpsPage();
  const { id } = await params;
  const entry = await auditLogEntry(await getDb(), { id }).catch((err: unknown) => {
    const known = asBillingError(err);
    if (known && known.status < 500) notFound();
    throw err;
  });
  return <LogEntryView entry={entry} backHref="/ops/logs" />;
}
