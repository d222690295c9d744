// The number inventory of each account, from its latest successful run: numbers on Twilio no active
// mapping covers (each with "Map", the onboarding form prefilled from Twilio), active mappings whose
// number is on no configured account, and numbers mapped under another SID than Twilio's.
import Link from "next/link";
import type { ReconciliationPageView } from "@/lib/ops/reconciliation";

type Inventory = ReconciliationPageView["inventories"][number];

export function InventoryPanel({ inventories, mapHref }: { inventories: Inventory[]; mapHref: (n: Inventory["report"]["unmapped"][number]) => string }) {
  if (inventories.length === 0) return <p className="text-slate-600">The inventory appears after a run has finished.</p>;
  return (
    <div className="flex flex-col gap-4">
      {inventories.map(({ accountSid, runId, checkedAt, report }) => (
        <section key={accountSid} aria-label={`Inventory of ${accountSid}`} className="flex flex-col gap-2 rounded-lg border border-slate-200 p-4">
          <h3 className="font-semibold">
            <span className="font-mono text-sm">{accountSid}</span>{" "}
            <span className="text-sm font-normal text-slate-500">
              (run {runId}, {checkedAt.replace("T", " ").slice(0, 16)} UTC)
            </span>
          </h3>
          <h4 className="text-sm font-medium">Numbers on Twilio billed to nobody ({report.unmapped.length})</h4>
          {report.unmapped.length === 0 ? (
            <p className="text-sm text-slate-500">Every number on the account has an active mapping.</p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm">
              {report.unmapped.map((u) => (
                <li key={u.sid} className="flex flex-wrap items-center gap-3">
                  <span className="font-mono">{u.phoneNumber}</span>
                  <span className="font-mono text-xs text-slate-500">{u.sid}</span>
                  <span className="text-xs text-slate-600">
                    {[u.capabilities.voice && "voice", u.capabilities.sms && "SMS", u.capabilities.mms && "MMS"].filter(Boolean).join(", ") || "no capabilities"}
                  </span>
                  <Link href={mapHref(u)} className="rounded border border-slate-400 px-2 py-0.5 text-xs font-medium hover:bg-slate-50">
                    Map
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <h4 className="text-sm font-medium">Active mappings whose number is not on Twilio ({report.missingOnTwilio?.length ?? "not checked"})</h4>
          {report.missingOnTwilio === null ? (
            <p className="text-sm text-slate-500">Checked only when every configured account is reconciled together.</p>
          ) : report.missingOnTwilio.length === 0 ? (
            <p className="text-sm text-slate-500">None.</p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm">
              {report.missingOnTwilio.map((m) => (
                <li key={m.mappingId}>
                  <span className="font-mono">{m.phoneNumber}</span> mapped to {m.tenantId} <span className="font-mono text-xs text-slate-500">{m.sid}</span>
                </li>
              ))}
            </ul>
          )}
          <h4 className="text-sm font-medium">SID mismatches ({report.sidMismatches.length})</h4>
          {report.sidMismatches.length === 0 ? (
            <p className="text-sm text-slate-500">None.</p>
          ) : (
            <ul className="flex flex-col gap-1 text-sm">
              {report.sidMismatches.map((m) => (
                <li key={`${m.twilioSid}-${m.mappingSid}`}>
                  <span className="font-mono">{m.phoneNumber}</span> is <span className="font-mono text-xs">{m.twilioSid}</span> on Twilio; {m.tenantId}&apos;s mapping
                  holds <span className="font-mono">{m.mappingPhoneNumber}</span> as <span className="font-mono text-xs">{m.mappingSid}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}
