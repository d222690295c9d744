// A usage event a provider webhook reported (a completed call, a received or sent message), counted
// through the ledger (the log_usage_batch rule, routed in the same statement) when a mapping covered its
// number at its time, or kept in the unmatched inbox when none did. Exactly once either way: the
// idempotency key is shared.
import "server-only";
import type { Db } from "@/db/client";
import type { SmsDirection, UsageType } from "@/db/schema";
import { recordUnmatchedUsageEvent, usageIdempotencyKey } from "./unmatched";
import { smsMetadataOf, voiceMetadataOf } from "./usage";
import { writeRoutableUsageEvent, type RoutableUsageEvent } from "./webhook-writer";

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

/** The ledger's routing event of a webhook event: what log_webhook_usage_batch routes and counts. */
export function routableUsageEventOf(event: WebhookUsageEvent): RoutableUsageEvent {
  const idempotencyKey = usageIdempotencyKey(event);
  return event.usageType === "voice"
    ? {
        kind: "voice",
        durationSeconds: event.voiceSeconds ?? 0,
        phoneNumber: event.phoneNumber,
        eventAt: event.eventAt,
        idempotencyKey,
        metadata: voiceMetadataOf({ metadata: event.metadata, callSid: event.providerSid, startedAt: event.eventAt }),
      }
    : {
        kind: "sms",
        direction: event.direction,
        phoneNumber: event.phoneNumber,
        eventAt: event.eventAt,
        idempotencyKey,
        metadata: smsMetadataOf({ metadata: event.metadata, messageSid: event.providerSid, numSegments: event.smsSegments, timestamp: event.eventAt }),
      };
}

/** Keeps a webhook event no mapping covered in the unmatched inbox (once per key). */
export function keepUnmatchedWebhookUsageEvent(db: Db, event: WebhookUsageEvent): Promise<{ stored: boolean }> {
  return recordUnmatchedUsageEvent(db, {
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
}

/**
 * Counts `event` into the mapping that held its number at its time, or keeps it unmatched when none
 * did. The route and the count are one statement (webhook-writer.ts). An event already kept unmatched
 * is not counted as well: ops resolve it from the inbox.
 */
export async function countOrKeepWebhookUsageEvent(db: Db, event: WebhookUsageEvent): Promise<WebhookUsageOutcome> {
  const written = await writeRoutableUsageEvent(db, routableUsageEventOf(event));
  if (!written.routed) {
    const kept = await keepUnmatchedWebhookUsageEvent(db, event);
    return { outcome: "unmatched", stored: kept.stored };
  }
  return {
    outcome: written.result.counted ? "counted" : "duplicate",
    logId: written.result.logId,
    tenantId: written.tenantId,
    billingPeriodStart: written.result.billingPeriodStart,
  };
}
