// A usage event a provider webhook reported (a completed call, a received or sent message), counted
// through the ledger (logVoiceUsage / logSmsUsage) when a mapping covered its number at its time, or
// kept in the unmatched inbox when none did. Exactly once either way: the idempotency key is shared.
import "server-only";
import type { Db } from "@/db/client";
import type { SmsDirection, UsageType } from "@/db/schema";
import { lookupWebhookEvent } from "./webhook-lookup";
import { recordUnmatchedUsageEvent, usageIdempotencyKey } from "./unmatched";
import { logSmsUsage, logVoiceUsage } from "./usage";

export interface WebhookUsageEvent {
  usageType: UsageType;
  /** inbound: the tenant's number received it; outbound: the tenant's number placed or sent it. */
  direction: SmsDirection;
  /** The tenant's number (E.164): decides the mapping together with eventAt. */
  phoneNumber: string;
  /** CallSid or MessageSid. */
  providerSid: string;
  accountSid?: string;
  /** When it happened (a call's start, a message's time): decides the owner and the period. */
  eventAt: Date;
  voiceSeconds?: number;
  smsSegments?: number;
  /** Stored with the log entry. */
  metadata: Record<string, unknown>;
  /** Every parameter the provider sent, kept for an unmatched event. */
  payload: Record<string, unknown>;
}

export type WebhookUsageOutcome =
  /** Counted now. */
  | { outcome: "counted"; logId: number; tenantId: string; billingPeriodStart: string }
  /** Counted before (a retry or a later status of the same message): nothing changed. */
  | { outcome: "duplicate"; logId: number; tenantId: string; billingPeriodStart: string }
  /** No mapping covered the number: kept (or already kept) in the unmatched inbox. */
  | { outcome: "unmatched"; stored: boolean };

/**
 * Counts `event` into `mapping` (the mapping that covered its number at its time), or keeps it
 * unmatched when `mapping` is null. An event already kept unmatched is not counted as well: ops
 * resolve it from the inbox.
 */
export async function countOrKeepWebhookUsageEvent(db: Db, event: WebhookUsageEvent): Promise<WebhookUsageOutcome> {
  const idempotencyKey = usageIdempotencyKey(event);
  const { mapping, keptUnmatched } = await lookupWebhookEvent(db, { phoneNumber: event.phoneNumber, at: event.eventAt, idempotencyKey });
  if (!mapping || keptUnmatched) {
    const kept = await recordUnmatchedUsageEvent(db, {
      usageType: event.usageType,
      direction: event.direction,
      phoneNumber: event.phoneNumber,
      providerSid: event.providerSid,
      accountSid: event.accountSid,
      eventAt: event.eventAt,
      voiceSeconds: event.voiceSeconds,
      smsSegments: event.smsSegments,
      payload: event.payload,
    });
    return { outcome: "unmatched", stored: kept.stored };
  }

  const result =
    event.usageType === "voice"
      ? await logVoiceUsage(db, {
          tenantId: mapping.tenantId,
          phoneMappingId: mapping.id,
          durationSeconds: event.voiceSeconds ?? 0,
          callSid: event.providerSid,
          startedAt: event.eventAt,
          metadata: event.metadata,
        })
      : await logSmsUsage(db, {
          tenantId: mapping.tenantId,
          phoneMappingId: mapping.id,
          direction: event.direction,
          messageSid: event.providerSid,
          numSegments: event.smsSegments,
          timestamp: event.eventAt,
          metadata: event.metadata,
        });
  return {
    outcome: result.counted ? "counted" : "duplicate",
    logId: result.logId,
    tenantId: mapping.tenantId,
    billingPeriodStart: result.billingPeriodStart,
  };
}
