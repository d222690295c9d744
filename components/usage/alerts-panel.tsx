// Usage alerts (80 % and 100 % of a monthly allowance), newest first.
import type { UsageAlert } from "@/lib/billing/alerts";

export function AlertsPanel({ alerts, showTenant }: { alerts: UsageAlert[]; showTenant: boolean }) {
  return (
    <section aria-labelledby="alerts-heading" className="flex flex-col gap-2">
      <h2 id="alerts-heading" className="text-lg font-semibold">
        Usage alerts
      </h2>
      {alerts.length === 0 ? (
        <p className="text-slate-600">No allowance reached 80 % yet.</p>
      ) : (
        <ul className="flex flex-col gap-1">
          {alerts.map((a) => (
            <li key={a.id} className={`rounded border px-3 py-2 text-sm ${a.thresholdPercent >= 100 ? "border-red-300 bg-red-50" : "border-amber-300 bg-amber-50"}`}>
              {showTenant && <span className="font-medium">{a.tenantId}: </span>}
              {a.metric === "voice_minutes" ? "Voice minutes" : "Messages"} reached {a.thresholdPercent} % of the monthly allowance ({a.usageValue.toLocaleString("en-US")} of{" "}
              {a.allowance.toLocaleString("en-US")}) in the period from {a.periodStart}
              <span className="text-slate-500"> · {a.createdAt.replace("T", " ").slice(0, 16)} UTC</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
