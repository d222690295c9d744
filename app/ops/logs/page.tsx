import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { firstValues } from "@/components/data-table/url";
import { LogFilters, LogTable } from "@/components/usage/log-browser";
import { requireOpsPage } from "@/lib/auth/session";
import { logExportHref, logView } from "@/lib/usage/log-view";

export const metadata: Metadata = { title: "Audit log" };

export default async function OpsLogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const params = firstValues(await searchParams);
  const { page, error } = await logView(await getDb(), params);
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Audit log</h1>
      <LogFilters basePath="/ops/logs" values={params} showTenant />
      {error && (
        <p role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-red-800">
          {error}
        </p>
      )}
      {page && <LogTable basePath="/ops/logs" values={params} page={page} exportHref={logExportHref(params)} />}
    </div>
  );
}
