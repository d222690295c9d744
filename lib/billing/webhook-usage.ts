// A usage event a provider webhook reported (a completed call leg, a received or sent message), counted
// through the ledger (the log_usage_batch rule, routed in the same statement) when a mapping covered its
// number at its time, or a call leg's relative's mapping covers it, or kept in the unmatched inbox
// otherwise. Exactly once either way: the idempotency key is shared.
import "server-only";
import type { Db } from "@/db/client";
import type { MessageChannel, SmsDirection, UsageType } from "@/db/schema";
import { recordUnmatchedUsageEvent, usageIdempotencyKey, type UnmatchedUsageEventInput } from "./unmatched";
import { smsMetadataOf, voiceMetadataOf } from "./usage";
import { writeRoutableUsageEvent, type RoutableUsageEvent } from "./webhook-writer";

export interface WebhookUsageEvent {
  usageType: UsageType;
  /** inbound: the tenant's number received it; outbound: the tenant's number placed or sent it. */
  direction: SmsDirection;
  /** The tenant's number (E.164): decides the mapping together with eventAt. Null for a call leg whose tenant side is not a number. */
  phoneNumber: string | null;
  /** Why phoneNumber is null (`To is not a phone number: "client:alice"`). */
  notANumber?: string;
  /** CallSid or MessageSid. */
  providerSid: string;
  /** A dialed leg's parent call (Twilio's ParentCallSid). */
  parentCallSid?: string;
  /** A message's channel (default sms). */
  channel?: MessageChannel;
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
  /** No mapping took it: kept (or already kept) in the unmatched inbox, with the reason. */
  | { outcome: "unmatched"; stored: boolean; reason: string };

/** The event as the ledger's webhook batch routes and counts it. */
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

/** A call leg that takes its mapping from a relative: a dialed leg, or a leg whose tenant side is not a number. */
function waitsForRelative(event: WebhookUsageEvent): boolean {
  return event.usageType === "voice" && (Boolean(event.parentCallSid) || event.phoneNumber === null);
}

/** Why no mapping took the event, in a sentence ops can act on. */
export function unmatchedReasonOf(event: WebhookUsageEvent): string {
  const noMapping = event.phoneNumber === null ? event.notANumber ?? "no tenant number" : `No mapping held ${event.phoneNumber} at the time`;
  if (event.usageType !== "voice") return noMapping;
  if (event.parentCallSid) return `${noMapping}; waiting for its parent call ${event.parentCallSid}`;
  return event.phoneNumber === null ? `${noMapping}; waiting for a dialed leg whose caller ID is a mapped number` : noMapping;
}

/** The inbox item for an event no mapping took: everything needed to count it once a mapping is known. */
export function unmatchedInputOf(event: WebhookUsageEvent, routable = routableUsageEventOf(event)): UnmatchedUsageEventInput {
  const ledgerEvent: Record<string, unknown> =
    routable.kind === "voice"
      ? { kind: "voice", duration_seconds: routable.durationSeconds, metadata: routable.metadata }
      : { kind: "sms", direction: routable.direction, metadata: routable.metadata };
  return {
    idempotencyKey: routable.idempotencyKey,
    usageType: event.usageType,
    direction: event.direction,
    channel: event.usageType === "sms" ? event.channel ?? "sms" : undefined,
    phoneNumber: event.phoneNumber,
    providerSid: event.providerSid,
    parentCallSid: event.parentCallSid,
    accountSid: event.accountSid,
    eventAt: event.eventAt,
    voiceSeconds: event.voiceSeconds,
    smsSegments: event.smsSegments,
    payload: event.payload,
    reason: unmatchedReasonOf(event),
    ledgerEvent,
  };
}

/**
 * Counts `event` into the mapping that held its number at its time (a call leg without one: its
 * relative's), or keeps it unmatched. The route and the count are one statement (webhook-writer.ts).
 * An event already kept unmatched is not counted as well: ops resolve it from the inbox.
 */
export async function countOrKeepWebhookUsageEvent(db: Db, event: WebhookUsageEvent): Promise<WebhookUsageOutcome> {
  const routable = routableUsageEventOf(event);
  let written = await writeRoutableUsageEvent(db, routable);
  // A call leg waiting for its relative tries the next batch once before the inbox: the legs of a call
  // are reported at the same moment, and a relative in the batch in flight (whose family lock the next
  // batch waits for) or in the next batch itself routes it there, where keeping it would cost a
  // transaction of its own to keep it and another to count it.
  if (!written.routed && !written.keptUnmatched && waitsForRelative(event)) written = await writeRoutableUsageEvent(db, routable);
  if (written.routed) {
    return {
      outcome: written.result.counted ? "counted" : "duplicate",
      logId: written.result.logId,
      tenantId: written.tenantId,
      billingPeriodStart: written.result.billingPeriodStart,
    };
  }
  const input = unmatchedInputOf(event, routable);
  const kept = await recordUnmatchedUsageEvent(db, input);
  if (!kept.kept) {
    return { outcome: kept.counted ? "counted" : "duplicate", logId: kept.logId, tenantId: kept.tenantId, billingPeriodStart: kept.billingPeriodStart };
  }
  return { outcome: "unmatched", stored: kept.stored, reason: input.reason };
}
