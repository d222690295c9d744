import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db/client";
import { firstValues } from "@/components/data-table/url";
import { LogFilters, LogTable } from "@/components/usage/log-browser";
import { requireTenantPage } from "@/lib/auth/session";
import { logExportHref, logView } from "@/lib/usage/log-view";

export const metadata: Metadata = { title: "Your audit log" };

export default async function TenantLogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireTenantPage();
  const params = firstValues(await searchParams);
  // Another tenant's id in the URL is not a filter a tenant may use: 404, like an unknown tenant.
  if (params.tenant && params.tenant !== user.tenantId) notFound();
  const { tenant: _ignored, ...own } = params;
  const { page, error } = await logView(await getDb(), own, user.tenantId);
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Your audit log</h1>
      <LogFilters basePath="/usage/logs" values={own} showTenant={false} />
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
      {page && <LogTable basePath="/usage/logs" values={own} page={page} exportHref={logExportHref(own)} />}
    </div>
  );
}
