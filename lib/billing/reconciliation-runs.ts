// The record of reconciliation runs (reconciliation_runs): started before the first page is read,
// moved by every batch in that batch's own transaction (reconciliation-batch.ts), and ended once:
// succeeded with its drift and inventory, or failed with the error that stopped it.
import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { reconciliationRuns, type ReconciliationRunStatus } from "@/db/schema";

export type ReconciliationRunRow = typeof reconciliationRuns.$inferSelect;

export interface DriftRow {
  metric: string;
  /** Twilio's Usage Records (null: Twilio gave none for this category). */
  twilio: number | null;
  ledger: number;
  /** ledger - twilio (null when Twilio gave none). */
  difference: number | null;
}

export interface InventoryReport {
  /** Numbers on the account that no active mapping covers: billed to nobody. */
  unmapped: { accountSid: string; sid: string; phoneNumber: string; capabilities: { voice: boolean; sms: boolean; mms: boolean }; numberType: "voice" | "sms" | "both" }[];
  /** Active mappings whose number is on none of the configured accounts (null: not every account was read). */
  missingOnTwilio: { mappingId: string; tenantId: string; phoneNumber: string; sid: string }[] | null;
  /** The number is mapped, but under another SID than Twilio's (or the SID under another number). */
  sidMismatches: { accountSid: string; phoneNumber: string; twilioSid: string; mappingSid: string; mappingPhoneNumber: string; tenantId: string }[];
}

/**
 * Records a run as started. The caller holds the run's lock (reconciliation-lock.ts), so a row of the
 * same account and period still marked running belongs to a process that stopped: it is ended as failed.
 */
export async function startReconciliationRun(
  db: Db,
  input: { accountSid: string; period: string; startedBy: string; windowStart: Date; windowEnd: Date },
): Promise<number> {
  await db
    .update(reconciliationRuns)
    .set({ status: "failed", finishedAt: sql`now()`, error: "Interrupted: the process running it stopped before it finished." })
    .where(and(eq(reconciliationRuns.accountSid, input.accountSid), eq(reconciliationRuns.period, input.period), eq(reconciliationRuns.status, "running")));
  const [row] = await db
    .insert(reconciliationRuns)
    .values({ accountSid: input.accountSid, period: input.period, startedBy: input.startedBy, windowStart: input.windowStart, windowEnd: input.windowEnd })
    .returning({ id: reconciliationRuns.id });
  return row!.id;
}

export async function finishReconciliationRun(db: Db, runId: number, result: { drift: DriftRow[]; inventory: InventoryReport }): Promise<void> {
  await endRun(db, runId, "succeeded", { drift: result.drift, inventory: result.inventory });
}

/** Ends a run as failed with `error` (a sentence for ops); what its batches committed stays, each batch whole. */
export async function failReconciliationRun(db: Db, runId: number, error: string): Promise<void> {
  await endRun(db, runId, "failed", { error: error.slice(0, 2000) });
}

async function endRun(db: Db, runId: number, status: ReconciliationRunStatus, values: Partial<ReconciliationRunRow>): Promise<void> {
  await db
    .update(reconciliationRuns)
    .set({ ...values, status, finishedAt: sql`now()` })
    .where(and(eq(reconciliationRuns.id, runId), eq(reconciliationRuns.status, "running")));
}

export async function reconciliationRunById(db: Db, runId: number): Promise<ReconciliationRunRow | undefined> {
  const [row] = await db.select().from(reconciliationRuns).where(eq(reconciliationRuns.id, runId));
  return row;
}

/** The running run of an account and period, if any (for a refusal that names it). */
export async function runningReconciliationRun(db: Db, accountSid: string, period: string): Promise<ReconciliationRunRow | undefined> {
  const [row] = await db
    .select()
    .from(reconciliationRuns)
    .where(and(eq(reconciliationRuns.accountSid, accountSid), eq(reconciliationRuns.period, period), eq(reconciliationRuns.status, "running")))
    .orderBy(desc(reconciliationRuns.startedAt))
    .limit(1);
  return row;
}

export async function recentReconciliationRuns(db: Db, limit = 50): Promise<ReconciliationRunRow[]> {
  return db.select().from(reconciliationRuns).orderBy(desc(reconciliationRuns.startedAt), desc(reconciliationRuns.id)).limit(limit);
}

/** The ledger's totals of an account over [from, to) (reconciliation_ledger_totals). */
export async function ledgerTotalsOfAccount(
  db: Db,
  input: { accountSid: string; from: Date; to: Date; includeUnattributed: boolean },
): Promise<Map<string, number>> {
  const rows = await queryRows<{ metric: string; value: string | number }>(
    db,
    sql`select metric, value from reconciliation_ledger_totals(${input.accountSid}, ${input.from.toISOString()}::timestamptz,
          ${input.to.toISOString()}::timestamptz, ${input.includeUnattributed})`,
  );
  return new Map(rows.map((r) => [r.metric, Number(r.value)]));
}
