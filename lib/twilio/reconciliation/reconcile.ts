// Reconciliation of one billing period with Twilio's REST API, for every configured account (or one):
// what the webhooks missed is counted, what they got wrong is corrected, the drift against Twilio's
// Usage Records and the number inventory are recorded with the run. Used by `npm run reconcile`, the
// ops page (started in the background) and the demo seed.
//
// One run per account and period at a time: the second is refused at once, naming the run in progress.
// Reading concurrency: READERS pages of an account are fetched at once. Twilio limits the concurrent
// REST requests of an account (a request over the limit is answered 429, code 20429, "safe to retry
// after backing off"); 4 stays far below that limit, leaving the rest of it to whatever else uses the
// account, and every 429 is retried with backoff. Pages are written as they arrive, WRITERS at a time
// (one on PGlite, which runs one statement at a time).
import type { Db } from "@/db/client";
import { billingPeriodFromMonth, type BillingPeriod } from "@/lib/billing/periods";
import { tryLockReconciliation, type HeldReconciliationLock } from "@/lib/billing/reconciliation-lock";
import {
  failReconciliationRun,
  finishReconciliationRun,
  runningReconciliationRun,
  startReconciliationRun,
  type DriftRow,
  type InventoryReport,
} from "@/lib/billing/reconciliation-runs";
import { BillingError } from "@/lib/errors";
import { twilioAccountsFromEnv } from "../accounts";
import { twilioApiBaseUrl, twilioRestClient, type TwilioClient, type TwilioRestAccount } from "../rest-client";
import { applyTwilioRecords, emptyProgress, type RunProgress } from "./account-run";
import { driftOf } from "./drift";
import { inventoryOf, readIncomingPhoneNumbers, type TwilioNumber } from "./inventory";
import { reconciliationWindow, tenantTimeZones, type ReconciliationWindow } from "./window";

export const READERS = 4;
// Pages written at once on PostgreSQL. Measured on 1,000,000 records (npm run bench, 2 cores): 2 writers
// 19,375 records/s, 3 21,066, 4 22,298; pages claim keys and counters in sorted order, so writers wait
// for each other and never deadlock.
export const POSTGRES_WRITERS = 4;

export type { RunProgress };

export interface ReconciliationOptions {
  /** YYYY-MM */
  period: string;
  /** Only this account (one of the configured ones). */
  accountSid?: string;
  /** Who started it: 'user:<email>', 'cli:<name>', 'seed'. */
  startedBy: string;
  /** Default: TWILIO_ACCOUNTS / TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN. */
  accounts?: readonly TwilioRestAccount[];
  /** Default: TWILIO_API_BASE_URL, else Twilio's own. */
  baseUrl?: string;
  readers?: number;
  writers?: number;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunSummary extends RunProgress {
  status: "succeeded" | "failed";
  error?: string;
  windowStart: string;
  windowEnd: string;
  drift?: DriftRow[];
  inventory?: { unmapped: number; missingOnTwilio: number | null; sidMismatches: number };
  seconds: number;
}

export interface StartedReconciliation {
  runs: { runId: number; accountSid: string }[];
  window: ReconciliationWindow;
  /** Resolves when every run has ended (failed runs included: see each summary's status). */
  done: Promise<RunSummary[]>;
}

/** The accounts reconciliation reads: every configured account with its SID and auth token. */
export function configuredReconciliationAccounts(env: Record<string, string | undefined> = process.env): TwilioRestAccount[] {
  let accounts;
  try {
    accounts = twilioAccountsFromEnv(env);
  } catch (err) {
    const detail = err instanceof BillingError ? err.message.replace(/^Twilio webhooks are not configured: /, "") : String(err);
    throw new BillingError("misconfigured", `Twilio accounts are not configured: ${detail}`);
  }
  if (accounts.tokens.size === 0) {
    throw new BillingError("misconfigured", "Twilio accounts are not configured: reconciliation needs each account's SID; set TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN, or TWILIO_ACCOUNTS.");
  }
  return [...accounts.tokens].map(([accountSid, authToken]) => ({ accountSid, authToken }));
}

function periodToReconcile(month: string): BillingPeriod {
  const period = billingPeriodFromMonth(month);
  // The earliest time zone (UTC+14) starts a month 14 hours before UTC does.
  if (Date.parse(`${period.start}T00:00:00Z`) - 14 * 3_600_000 > Date.now()) {
    throw new BillingError("invalid_input", `Period ${month} has not begun yet: nothing to reconcile`);
  }
  return period;
}

function isPostgres(db: Db): boolean {
  return typeof (db as unknown as { $client?: unknown }).$client === "function";
}

/** Takes the locks and records the runs, then reconciles in the background (`done`). */
export async function startReconciliation(db: Db, options: ReconciliationOptions): Promise<StartedReconciliation> {
  const period = periodToReconcile(options.period);
  const configured = options.accounts ?? configuredReconciliationAccounts();
  const accounts = options.accountSid ? configured.filter((a) => a.accountSid === options.accountSid) : [...configured];
  if (accounts.length === 0) {
    throw new BillingError(
      "invalid_input",
      `${options.accountSid} is not a configured Twilio account (configured: ${configured.map((a) => a.accountSid).join(", ") || "none"})`,
    );
  }
  const baseUrl = options.baseUrl ?? twilioApiBaseUrl();
  const window = reconciliationWindow(period, await tenantTimeZones(db));

  const locks: HeldReconciliationLock[] = [];
  const releaseAll = () => Promise.all(locks.map((l) => l.release().catch(() => undefined)));
  const runs: { runId: number; account: TwilioRestAccount }[] = [];
  try {
    for (const account of accounts) {
      const lock = await tryLockReconciliation(db, `${account.accountSid}:${period.month}`);
      if (!lock) {
        const running = await runningReconciliationRun(db, account.accountSid, period.month);
        const which = running ? ` (run ${running.id}, started by ${running.startedBy} at ${running.startedAt.toISOString()})` : "";
        throw new BillingError("conflict", `A reconciliation of ${account.accountSid} for ${period.month} is already running${which}; try again when it has finished.`);
      }
      locks.push(lock);
    }
    for (const account of accounts) {
      const runId = await startReconciliationRun(db, {
        accountSid: account.accountSid,
        period: period.month,
        startedBy: options.startedBy,
        windowStart: window.start,
        windowEnd: window.end,
      });
      runs.push({ runId, account });
    }
  } catch (err) {
    await releaseAll();
    throw err;
  }

  const everyAccount = accounts.length === configured.length;
  const done = reconcileRuns(db, { ...options, period, window, baseUrl, runs, everyAccount }).finally(releaseAll);
  return { runs: runs.map((r) => ({ runId: r.runId, accountSid: r.account.accountSid })), window, done };
}

/** Starts and waits: every run's summary. */
export async function reconcilePeriod(db: Db, options: ReconciliationOptions): Promise<RunSummary[]> {
  return (await startReconciliation(db, options)).done;
}

function messageOf(err: unknown): string {
  if (err instanceof BillingError) return err.message;
  console.error("[reconciliation] failed:", err);
  return `Reconciliation failed: ${err instanceof Error ? err.message : String(err)}`;
}

async function reconcileRuns(
  db: Db,
  input: Omit<ReconciliationOptions, "period"> & {
    period: BillingPeriod;
    window: ReconciliationWindow;
    baseUrl: string;
    runs: { runId: number; account: TwilioRestAccount }[];
    everyAccount: boolean;
  },
): Promise<RunSummary[]> {
  const clients = new Map<string, TwilioClient>(input.runs.map((r) => [r.account.accountSid, twilioRestClient(r.account, input.baseUrl)]));
  // Every account's numbers first: the inventory needs them all, and a wrong token fails here, before any page.
  const numbers = new Map<string, TwilioNumber[]>();
  const failures = new Map<string, string>();
  for (const { account } of input.runs) {
    try {
      numbers.set(account.accountSid, await readIncomingPhoneNumbers(clients.get(account.accountSid)!, { accountSid: account.accountSid, baseUrl: input.baseUrl }));
    } catch (err) {
      failures.set(account.accountSid, messageOf(err));
    }
  }
  const summaries: RunSummary[] = [];
  for (const { runId, account } of input.runs) {
    const started = Date.now();
    const progress = emptyProgress(runId, account.accountSid, input.period.month);
    const summary = (status: RunSummary["status"], extra: Partial<RunSummary> = {}): RunSummary => ({
      ...progress,
      status,
      windowStart: input.window.start.toISOString(),
      windowEnd: input.window.end.toISOString(),
      seconds: (Date.now() - started) / 1000,
      ...extra,
    });
    try {
      const failure = failures.get(account.accountSid);
      if (failure) throw new BillingError("unavailable", failure);
      const client = clients.get(account.accountSid)!;
      await applyTwilioRecords({
        db,
        client,
        baseUrl: input.baseUrl,
        window: input.window,
        progress,
        readers: input.readers ?? READERS,
        writers: input.writers ?? (isPostgres(db) ? POSTGRES_WRITERS : 1),
        onProgress: input.onProgress,
      });
      const drift = await driftOf(db, { client, accountSid: account.accountSid, baseUrl: input.baseUrl, period: input.period, includeUnattributed: input.runs.length === 1 && input.everyAccount });
      const reports = await inventoryOf(db, numbers, { everyAccount: input.everyAccount && failures.size === 0 });
      const inventory: InventoryReport = reports.get(account.accountSid) ?? { unmapped: [], missingOnTwilio: null, sidMismatches: [] };
      await finishReconciliationRun(db, runId, { drift, inventory });
      summaries.push(
        summary("succeeded", {
          drift,
          inventory: { unmapped: inventory.unmapped.length, missingOnTwilio: inventory.missingOnTwilio?.length ?? null, sidMismatches: inventory.sidMismatches.length },
        }),
      );
    } catch (err) {
      const error = messageOf(err);
      await failReconciliationRun(db, runId, error).catch((e: unknown) => console.error("[reconciliation] could not record the failure:", e));
      summaries.push(summary("failed", { error }));
    }
  }
  return summaries;
}
