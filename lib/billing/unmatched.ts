// Usage Twilio reported for a number no mapping covered at the event's time (never mapped, or
// deprovisioned before it) is kept, with its raw payload, for ops to resolve: nothing is dropped.
// This file holds the write that stores such an event; the inbox (assign, dismiss) lives elsewhere.
import "server-only";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import type { SmsDirection, UsageType } from "@/db/schema";
import { rethrowAsBillingError } from "@/lib/errors";
import { storableJson } from "./storable-json";

/** The usage log's idempotency key: 'voice:<CallSid>' or 'sms:<direction>:<MessageSid>'. */
export function usageIdempotencyKey(event: { usageType: UsageType; direction: SmsDirection; providerSid: string }): string {
  return event.usageType === "voice" ? `voice:${event.providerSid}` : `sms:${event.direction}:${event.providerSid}`;
}

export interface UnmatchedUsageEventInput {
  usageType: UsageType;
  direction: SmsDirection;
  /** The number no mapping covered (E.164). */
  phoneNumber: string;
  /** CallSid or MessageSid. */
  providerSid: string;
  accountSid?: string;
  eventAt: Date;
  voiceSeconds?: number;
  smsSegments?: number;
  /** What Twilio sent, every parameter. */
  payload: Record<string, unknown>;
}

export interface UnmatchedUsageEventResult {
  /** false when this event was already stored (a retry) or already counted in the usage log. */
  stored: boolean;
  idempotencyKey: string;
  id?: number;
}

/**
 * Stores an event no mapping covered, once per idempotency key (a retried webhook stores nothing more),
 * and never for an event the usage log already counted.
 */
export async function recordUnmatchedUsageEvent(db: Db, input: UnmatchedUsageEventInput): Promise<UnmatchedUsageEventResult> {
  const idempotencyKey = usageIdempotencyKey(input);
  try {
    const rows = await queryRows<{ id: string }>(
      db,
      sql`insert into unmatched_usage_events
            (idempotency_key, usage_type, direction, phone_number, provider_sid, account_sid, event_at,
             voice_seconds, sms_segments, payload)
          select ${idempotencyKey}, ${input.usageType}, ${input.direction}, ${input.phoneNumber}, ${input.providerSid},
             ${input.accountSid ?? null}, ${input.eventAt.toISOString()}::timestamptz, ${input.voiceSeconds ?? null}::integer,
             ${input.smsSegments ?? null}::integer, ${storableJson(input.payload)}::jsonb
          where not exists (select 1 from tenant_usage_logs where idempotency_key = ${idempotencyKey})
          on conflict (idempotency_key) do nothing
          returning id::text as id`,
    );
    const id = rows[0]?.id;
    return id === undefined ? { stored: false, idempotencyKey } : { stored: true, idempotencyKey, id: Number(id) };
  } catch (err) {
    rethrowAsBillingError(err);
  }
}
