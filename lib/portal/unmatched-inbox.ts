// What the ops /ops/unmatched page shows for its URL (?status=open|assigned|dismissed&after|before=…):
// one keyset page of the inbox and, for each number on it, the mappings an item could be counted to
// (fetched for the whole page in one bounded query).
import "server-only";
import { inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tenantPhoneMappings, unmatchedStatuses } from "@/db/schema";
import { listUnmatched, type UnmatchedRow } from "@/lib/billing/unmatched-resolution";
import { asBillingError } from "@/lib/errors";
import type { Page } from "@/lib/pagination";

export type UnmatchedStatus = (typeof unmatchedStatuses)[number];

export interface AssignableMapping {
  id: string;
  tenantId: string;
  numberType: string;
  active: boolean;
}

export interface UnmatchedInboxView {
  status: UnmatchedStatus;
  page: Page<UnmatchedRow> | null;
  /** Mappings per phone number on the page, newest first. */
  candidates: Record<string, AssignableMapping[]>;
  error: string | null;
}

/** Every mapping of the given numbers (current and ended), newest first, at most 20 per number. */
export async function mappingsOfNumbers(db: Db, phoneNumbers: string[]): Promise<Record<string, AssignableMapping[]>> {
  const out: Record<string, AssignableMapping[]> = {};
  if (phoneNumbers.length === 0) return out;
  const rows = await db
    .select({
      id: tenantPhoneMappings.id,
      tenantId: tenantPhoneMappings.tenantId,
      numberType: tenantPhoneMappings.numberType,
      phoneNumber: tenantPhoneMappings.phoneNumber,
      active: sql<boolean>`${tenantPhoneMappings.deprovisionedAt} is null`,
    })
    .from(tenantPhoneMappings)
    .where(inArray(tenantPhoneMappings.phoneNumber, phoneNumbers.slice(0, 200)))
    .orderBy(sql`${tenantPhoneMappings.provisionedAt} desc`)
    .limit(20 * Math.min(phoneNumbers.length, 200));
  for (const { phoneNumber, ...mapping } of rows) {
    const list = (out[phoneNumber] ??= []);
    if (list.length < 20) list.push({ ...mapping, active: mapping.active === true });
  }
  return out;
}

/** Where an item's mappings are looked up: its number, or (a leg or callback without one) its payload's. */
export function numbersToAssignTo(row: Pick<UnmatchedRow, "phoneNumber" | "payloadNumbers">): string[] {
  return row.phoneNumber ? [row.phoneNumber] : row.payloadNumbers;
}

/** The mappings an item could be counted to, newest first, without repeats. */
export function candidatesFor(row: Pick<UnmatchedRow, "phoneNumber" | "payloadNumbers">, candidates: Record<string, AssignableMapping[]>): AssignableMapping[] {
  const seen = new Set<string>();
  return numbersToAssignTo(row).flatMap((n) => candidates[n] ?? []).filter((m) => !seen.has(m.id) && seen.add(m.id));
}

export async function unmatchedInboxView(db: Db, params: Record<string, string | undefined>): Promise<UnmatchedInboxView> {
  const status = unmatchedStatuses.find((s) => s === params.status) ?? "open";
  try {
    const page = await listUnmatched(db, { status, after: params.after, before: params.before });
    const candidates = status === "open" ? await mappingsOfNumbers(db, [...new Set(page.rows.flatMap(numbersToAssignTo))]) : {};
    return { status, page, candidates, error: null };
  } catch (err) {
    const known = asBillingError(err);
    if (!known || known.status >= 500) throw err;
    return { status, page: null, candidates: {}, error: known.message };
  }
}
