// What the ledger holds for a tenant, read with SQL, against what a set of distinct events must add up to.
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { WebhookEvent } from "./twilio-stream";

export interface LedgerTotals {
  voice_calls_count: number;
  voice_seconds_used: number;
  voice_minutes_used: number;
  sms_received_count: number;
  sms_sent_count: number;
  sms_count_used: number;
  sms_segments_used: number;
}

/** The counters a set of distinct events must produce (each counted once). */
export function expectedTotals(events: WebhookEvent[]): LedgerTotals {
  const distinct = new Map(events.map((e) => [e.idempotencyKey, e]));
  const totals: LedgerTotals = {
    voice_calls_count: 0,
    voice_seconds_used: 0,
    voice_minutes_used: 0,
    sms_received_count: 0,
    sms_sent_count: 0,
    sms_count_used: 0,
    sms_segments_used: 0,
  };
  for (const e of distinct.values()) {
    if (e.kind === "voice") {
      totals.voice_calls_count++;
      totals.voice_seconds_used += e.voiceSeconds ?? 0;
      totals.voice_minutes_used += Math.ceil((e.voiceSeconds ?? 0) / 60);
    } else {
      totals.sms_count_used++;
      totals.sms_segments_used += e.smsSegments ?? 1;
      if (e.kind === "sms-in") totals.sms_received_count++;
      else totals.sms_sent_count++;
    }
  }
  return totals;
}

/** The tenant's counters summed over every period and number. */
export async function ledgerTotals(db: Db, tenantId: string): Promise<LedgerTotals> {
  const [row] = await queryRows<LedgerTotals>(
    db,
    sql`select coalesce(sum(voice_calls_count), 0)::int as voice_calls_count,
               coalesce(sum(voice_seconds_used), 0)::int as voice_seconds_used,
               coalesce(sum(voice_minutes_used), 0)::int as voice_minutes_used,
               coalesce(sum(sms_received_count), 0)::int as sms_received_count,
               coalesce(sum(sms_sent_count), 0)::int as sms_sent_count,
               coalesce(sum(sms_count_used), 0)::int as sms_count_used,
               coalesce(sum(sms_segments_used), 0)::int as sms_segments_used
          from tenant_usage_counters where tenant_id = ${tenantId}`,
  );
  return row!;
}

/** Idempotency keys of the tenant's usage log entries, with how often each occurs. */
export async function loggedKeys(db: Db, tenantId: string): Promise<Map<string, number>> {
  const rows = await queryRows<{ key: string; n: number }>(
    db,
    sql`select idempotency_key as key, count(*)::int as n from tenant_usage_logs
         where tenant_id = ${tenantId} and entry_kind = 'usage' group by idempotency_key`,
  );
  return new Map(rows.map((r) => [r.key, r.n]));
}

export async function countOf(db: Db, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table)}`);
  return row?.n ?? 0;
}
