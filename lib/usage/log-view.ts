// What a log page needs from its URL: parsed filters (or the message saying what is wrong) and a page.
import "server-only";
import type { Db } from "@/db/client";
import { asBillingError } from "@/lib/errors";
import type { Page } from "@/lib/pagination";
import { describeFieldErrors, fieldErrorsOf } from "@/lib/validation";
import { auditLogFiltersSchema, auditLogPage, type AuditLogRow } from "./audit-log";

export async function logView(
  db: Db,
  params: Record<string, string | undefined>,
  forcedTenant?: string,
): Promise<{ page: Page<AuditLogRow> | null; error: string | null }> {
  const { after, before, ...filterParams } = params;
  const parsed = auditLogFiltersSchema.safeParse(forcedTenant ? { ...filterParams, tenant: forcedTenant } : filterParams);
  if (!parsed.success) return { page: null, error: describeFieldErrors(fieldErrorsOf(parsed.error)) };
  try {
    return { page: await auditLogPage(db, { filters: parsed.data, after, before }), error: null };
  } catch (err) {
    const known = asBillingError(err);
    if (!known || known.status >= 500) throw err;
    return { page: null, error: known.message };
  }
}

/** The CSV download URL for the same filters (cursors dropped). */
export function logExportHref(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v && k !== "after" && k !== "before") query.set(k, v);
  const text = query.toString();
  return `/api/usage/logs/export${text ? `?${text}` : ""}`;
}
