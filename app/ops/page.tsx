import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db/client";
import { AlertsPanel } from "@/components/usage/alerts-panel";
import { requireOpsPage } from "@/lib/auth/session";
import { listAlerts } from "@/lib/billing/alerts";
import { dashboardSummary, recentOpsChanges } from "@/lib/ops/dashboard";

export const metadata: Metadata = { title: "Ops dashboard" };

export default async function OpsDashboardPage() {
  // Every page checks for itself: a layout renders beside its page, not before it.
  await requireOpsPage();
  const db = await getDb();
  const [summary, changes, alerts] = await Promise.all([dashboardSummary(db), recentOpsChanges(db), listAlerts(db, { limit: 10 })]);
  const tiles = [
    { label: "Tenants", value: summary.tenants, href: "/ops/tenants" },
    { label: "Active numbers", value: summary.activeNumbers, href: "/ops/numbers" },
    { label: "Usage events this month", value: summary.usageEventsThisMonth, href: "/ops/logs" },
    { label: "Open unmatched events", value: summary.openUnmatched, href: "/ops/unmatched" },
  ];
  return (
    <div className="flex flex-col gap-8">
      <h1 className="text-2xl font-semibold">Ops dashboard</h1>
      <section aria-label="Summary" className="grid grid-cols-2 gap-4 md:grid-cols-4">
        {tiles.map((tile) => (
          <Link key={tile.label} href={tile.href} className="rounded-lg border border-slate-200 p-4 hover:bg-slate-50">
            <div className="text-sm text-slate-600">{tile.label}</div>
            <div className="text-2xl font-semibold tabular-nums">{tile.value.toLocaleString("en-US")}</div>
          </Link>
        ))}
      </section>
      <AlertsPanel alerts={alerts} showTenant />
      <section aria-labelledby="changes-heading" className="flex flex-col gap-2">
        <h2 id="changes-heading" className="text-lg font-semibold">
          Recent ops changes
        </h2>
        {changes.length === 0 ? (
          <p className="text-slate-600">No changes recorded yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-slate-600">
              <tr>
                <th className="py-1 pr-4">When (UTC)</th>
                <th className="py-1 pr-4">What</th>
                <th className="py-1 pr-4">Tenant</th>
                <th className="py-1 pr-4">Who</th>
                <th className="py-1">Details</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change) => (
                <tr key={change.id} className="border-t border-slate-100 align-top">
                  <td className="py-1 pr-4 whitespace-nowrap tabular-nums">{change.createdAt.toISOString().replace("T", " ").slice(0, 19)}</td>
                  <td className="py-1 pr-4">{change.eventType.replaceAll("_", " ")}</td>
                  <td className="py-1 pr-4">{change.tenantId ?? "—"}</td>
                  <td className="py-1 pr-4">{change.actor ?? "—"}</td>
                  <td className="py-1 font-mono text-xs text-slate-600">{summarize(change.properties)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function summarize(properties: unknown): string {
  if (!properties || typeof properties !== "object") return "";
  return Object.entries(properties as Record<string, unknown>)
    .filter(([, value]) => value !== null && typeof value !== "object")
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(" ")
    .slice(0, 200);
}
