// Usage Twilio reported that no mapping took (never mapped, deprovisioned before it, a call leg waiting
// for its relative, or a signed callback a field of which could not be read) is kept, with its raw
// payload and the reason, for ops to resolve: nothing is dropped. The write is keep_unmatched_usage_event
// (db/functions/65-unmatched-inbox.sql): a call leg whose relative was counted meanwhile is counted with
// it instead. The inbox (assign, dismiss) lives in unmatched-resolution.ts.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { MessageChannel, SmsDirection, UsageType } from "@/db/schema";
import { rethrowAsBillingError } from "@/lib/errors";
import { storableJson } from "./storable-json";

/** The usage log's idempotency key: 'voice:<CallSid>' or 'sms:<direction>:<MessageSid>'. */
export function usageIdempotencyKey(event: { usageType: UsageType; direction: SmsDirection; providerSid: string }): string {
  return event.usageType === "voice" ? `voice:${event.providerSid}` : `sms:${event.direction}:${event.providerSid}`;
}

export interface UnmatchedUsageEventInput {
  /** The log's key when the event is readable; 'unreadable:…' for a callback without a readable SID. */
  idempotencyKey: string;
  usageType: UsageType;
  direction?: SmsDirection;
  channel?: MessageChannel;
  /** The tenant's number (E.164), when that side is a readable number. */
  phoneNumber?: string | null;
  /** CallSid or MessageSid, when readable. */
  providerSid?: string;
  parentCallSid?: string;
  accountSid?: string;
  eventAt: Date;
  voiceSeconds?: number;
  smsSegments?: number;
  /** What Twilio sent, every parameter. */
  payload: Record<string, unknown>;
  /** Why no mapping took it, in a sentence ops can act on. */
  reason: string;
  /** What it is counted as once a mapping is known (log_usage_batch's event without tenant and mapping); none when unreadable. */
  ledgerEvent?: Record<string, unknown>;
}

export type UnmatchedUsageEventResult =
  /** Kept now (stored), or already kept or counted before (a retry). */
  | { kept: true; stored: boolean; idempotencyKey: string; id?: number }
  /** A call leg whose relative was counted since it was routed: counted with it now (or before). */
  | { kept: false; counted: boolean; logId: number; tenantId: string; billingPeriodStart: string };

interface KeepRow {
  kept: boolean;
  unmatched_id: string | null;
  counted: boolean;
  log_id: string | null;
  tenant_id: string | null;
  billing_period_start: string | null;
}

/** Keeps an event no mapping took, once per idempotency key, never for an event the log already counted. */
export async function recordUnmatchedUsageEvent(db: Db, input: UnmatchedUsageEventInput): Promise<UnmatchedUsageEventResult> {
  const doc = {
    idempotency_key: input.idempotencyKey,
    usage_type: input.usageType,
    direction: input.direction ?? null,
    channel: input.channel ?? null,
    phone_number: input.phoneNumber ?? null,
    provider_sid: input.providerSid ?? null,
    parent_call_sid: input.parentCallSid ?? null,
    account_sid: input.accountSid ?? null,
    event_at: input.eventAt.toISOString(),
    voice_seconds: input.voiceSeconds ?? null,
    sms_segments: input.smsSegments ?? null,
    payload: input.payload,
    reason: input.reason,
    ledger_event: input.ledgerEvent ?? null,
  };
  try {
    const [row] = await queryRows<KeepRow>(
      db,
      sql`select kept, unmatched_id::text as unmatched_id, counted, log_id::text as log_id, tenant_id,
            billing_period_start::text as billing_period_start
          from keep_unmatched_usage_event(${storableJson(doc)}::jsonb)`,
    );
    if (!row) throw new Error("keep_unmatched_usage_event answered no row");
    if (!row.kept && row.log_id && row.tenant_id && row.billing_period_start) {
      return { kept: false, counted: row.counted, logId: Number(row.log_id), tenantId: row.tenant_id, billingPeriodStart: row.billing_period_start };
    }
    return row.unmatched_id === null
      ? { kept: true, stored: false, idempotencyKey: input.idempotencyKey }
      : { kept: true, stored: true, idempotencyKey: input.idempotencyKey, id: Number(row.unmatched_id) };
  } catch (err) {
    rethrowAsBillingError(err);
  }
}
