// The ops reconciliation page's view: recent runs with their progress and drift, the latest inventory of
// each account (from its latest successful run), and the configured accounts a run can be started for.
import "server-only";
import type { Db } from "@/db/client";
import { billingPeriodOf } from "@/lib/billing/periods";
import { recentReconciliationRuns, type DriftRow, type InventoryReport, type ReconciliationRunRow } from "@/lib/billing/reconciliation-runs";
import { BillingError } from "@/lib/errors";
import { driftLabelOf } from "@/lib/twilio/reconciliation/drift";
import { configuredReconciliationAccounts } from "@/lib/twilio/reconciliation/reconcile";

export interface ReconciliationRunView {
  id: number;
  accountSid: string;
  period: string;
  status: ReconciliationRunRow["status"];
  startedBy: string;
  startedAt: string;
  finishedAt: string | null;
  pagesRead: number;
  recordsRead: number;
  counted: number;
  corrected: number;
  unmatched: number;
  alreadyCounted: number;
  notBilled: number;
  outsidePeriod: number;
  unreadable: number;
  drift: (DriftRow & { label: string })[] | null;
  error: string | null;
}

export interface ReconciliationPageView {
  runs: ReconciliationRunView[];
  anyRunning: boolean;
  inventories: { accountSid: string; runId: number; checkedAt: string; report: InventoryReport }[];
  accounts: string[];
  /** Why no run can be started (Twilio accounts not configured). */
  accountsError: string | null;
  defaultPeriod: string;
}

function runView(r: ReconciliationRunRow): ReconciliationRunView {
  return {
    id: r.id,
    accountSid: r.accountSid,
    period: r.period,
    status: r.status,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    pagesRead: r.pagesRead,
    recordsRead: r.recordsRead,
    counted: r.recordsCounted,
    corrected: r.recordsCorrected,
    unmatched: r.recordsUnmatched,
    alreadyCounted: r.recordsAlreadyCounted,
    notBilled: r.recordsNotBilled,
    outsidePeriod: r.recordsOutsidePeriod,
    unreadable: r.recordsUnreadable,
    drift: (r.drift as DriftRow[] | null)?.map((d) => ({ ...d, label: driftLabelOf(d.metric) })) ?? null,
    error: r.error,
  };
}

export async function reconciliationPageView(db: Db, now: Date = new Date()): Promise<ReconciliationPageView> {
  const rows = await recentReconciliationRuns(db, 50);
  const inventories = new Map<string, ReconciliationPageView["inventories"][number]>();
  for (const r of rows) {
    if (r.status !== "succeeded" || !r.inventory || inventories.has(r.accountSid)) continue;
    inventories.set(r.accountSid, { accountSid: r.accountSid, runId: r.id, checkedAt: (r.finishedAt ?? r.startedAt).toISOString(), report: r.inventory as InventoryReport });
  }
  let accounts: string[] = [];
  let accountsError: string | null = null;
  try {
    accounts = configuredReconciliationAccounts().map((a) => a.accountSid);
  } catch (err) {
    if (!(err instanceof BillingError)) throw err;
    accountsError = err.message;
  }
  return {
    runs: rows.map(runView),
    anyRunning: rows.some((r) => r.status === "running"),
    inventories: [...inventories.values()],
    accounts,
    accountsError,
    defaultPeriod: billingPeriodOf(now).month,
  };
}

/** The onboarding form, prefilled from a number on Twilio. */
export function onboardHrefOf(n: InventoryReport["unmapped"][number]): string {
  return `/ops/numbers/onboard?${new URLSearchParams({ sid: n.sid, number: n.phoneNumber, type: n.numberType })}`;
}
