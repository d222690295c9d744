import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { InventoryPanel } from "@/components/reconciliation/inventory-panel";
import { RefreshWhileRunning } from "@/components/reconciliation/refresh-while-running";
import { ReconciliationRunsTable } from "@/components/reconciliation/runs-table";
import { StartReconciliationForm } from "@/components/reconciliation/start-reconciliation-form";
import { requireOpsPage } from "@/lib/auth/session";
import { onboardHrefOf, reconciliationPageView } from "@/lib/ops/reconciliation";

export const metadata: Metadata = { title: "Reconciliation" };

export default async function ReconciliationPage() {
  await requireOpsPage();
  const view = await reconciliationPageView(await getDb());
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold">Reconciliation with Twilio</h1>
      <p className="max-w-3xl text-slate-700">
        Twilio&apos;s REST API is the record of what it billed. A run reads every call and message of a period, counts what the webhooks missed, corrects
        what they got wrong (segments, duration) in the audit log, and compares the ledger with Twilio&apos;s Usage Records. Twilio keeps calls and
        messages for about 13 months.
      </p>
      {view.accountsError ? (
        <p role="alert" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
          {view.accountsError}
        </p>
      ) : (
        <StartReconciliationForm accounts={view.accounts} defaultPeriod={view.defaultPeriod} />
      )}
      <RefreshWhileRunning running={view.anyRunning} />
      <section aria-labelledby="runs-heading" className="flex flex-col gap-3">
        <h2 id="runs-heading" className="text-lg font-semibold">
          Runs
        </h2>
        <ReconciliationRunsTable runs={view.runs} />
      </section>
      <section aria-labelledby="inventory-heading" className="flex flex-col gap-3">
        <h2 id="inventory-heading" className="text-lg font-semibold">
          Number inventory
        </h2>
        <InventoryPanel inventories={view.inventories} mapHref={onboardHrefOf} />
      </section>
    </div>
  );
}
