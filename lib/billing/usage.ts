// Counting usage: typed calls into the ledger's SQL rule (log_usage_batch, the code log_voice_usage /
// log_sms_usage run too), which holds period, rounding and exactly-once in one place for the webhooks,
// the API and psql alike. Events go through the batching writer (ledger-writer.ts): concurrent calls
// share one transaction, and each call returns only after its transaction has committed.
import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { messageChannels, smsDirections } from "@/db/schema";
import { parseInput, withoutNul } from "@/lib/validation";
import { writeUsageEvent, type UsageLogResult } from "./ledger-writer";

export type { UsageLogResult } from "./ledger-writer";

const metadataSchema = z.record(z.string(), z.unknown()).default({});
const providerSid = (label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(64, `${label} is too long`)
    .refine(...withoutNul(label));

export const logVoiceUsageSchema = z.object({
  tenantId: z.string().min(1, "tenantId is required").refine(...withoutNul("tenantId")),
  phoneMappingId: z.uuid({ error: "phoneMappingId must be a mapping id (uuid)" }),
  durationSeconds: z
    .number({ error: "durationSeconds must be a number" })
    .int("durationSeconds must be whole seconds")
    .min(0, "durationSeconds must be zero or more")
    .max(2_147_483_647, "durationSeconds is too large"),
  callSid: providerSid("callSid"),
  /** When the call started: decides the billing period. Default: now. */
  startedAt: z.date().optional(),
  metadata: metadataSchema,
});
export type LogVoiceUsageInput = z.input<typeof logVoiceUsageSchema>;

export const logSmsUsageSchema = z.object({
  tenantId: z.string().min(1, "tenantId is required").refine(...withoutNul("tenantId")),
  phoneMappingId: z.uuid({ error: "phoneMappingId must be a mapping id (uuid)" }),
  direction: z.enum(smsDirections, { error: 'direction must be "inbound" or "outbound"' }),
  messageSid: providerSid("messageSid"),
  numSegments: z.number().int().min(1, "numSegments must be at least 1").max(9999).optional(),
  /** sms (default), mms or whatsapp: each is counted on its own. */
  channel: z.enum(messageChannels, { error: 'channel must be "sms", "mms" or "whatsapp"' }).optional(),
  /** When the message was sent or received: decides the billing period. Default: now. */
  timestamp: z.date().optional(),
  metadata: metadataSchema,
});
export type LogSmsUsageInput = z.input<typeof logSmsUsageSchema>;

/**
 * A copy of the caller's metadata. Object.assign is several times faster than a spread on the webhook
 * path, but it would make an own "__proto__" key (JSON can carry one) the copy's prototype instead of
 * copying it; such metadata takes the spread.
 */
function copyOf(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.hasOwn(metadata, "__proto__") ? { ...metadata } : Object.assign({}, metadata);
}

/** The metadata stored with a call: the caller's, plus the keys the SQL function reads. */
export function voiceMetadataOf(input: Pick<z.output<typeof logVoiceUsageSchema>, "metadata" | "callSid" | "startedAt">): Record<string, unknown> {
  const metadata = copyOf(input.metadata);
  metadata.call_sid = input.callSid;
  if (input.startedAt) metadata.started_at = input.startedAt.toISOString();
  return metadata;
}

export function smsMetadataOf(
  input: Pick<z.output<typeof logSmsUsageSchema>, "metadata" | "messageSid" | "numSegments" | "timestamp"> & { channel?: string },
): Record<string, unknown> {
  const metadata = copyOf(input.metadata);
  metadata.message_sid = input.messageSid;
  if (input.channel) metadata.channel = input.channel;
  if (input.numSegments !== undefined) metadata.num_segments = input.numSegments;
  if (input.timestamp) metadata.timestamp = input.timestamp.toISOString();
  return metadata;
}

/** Counts one call, exactly once per CallSid, into the period the call started in. */
export async function logVoiceUsage(db: Db, input: LogVoiceUsageInput): Promise<UsageLogResult> {
  const v = parseInput(logVoiceUsageSchema, input);
  return writeUsageEvent(db, {
    kind: "voice",
    tenantId: v.tenantId,
    phoneMappingId: v.phoneMappingId,
    durationSeconds: v.durationSeconds,
    metadata: voiceMetadataOf(v),
  });
}

/** Counts one message in one direction, exactly once per (MessageSid, direction). */
export async function logSmsUsage(db: Db, input: LogSmsUsageInput): Promise<UsageLogResult> {
  const v = parseInput(logSmsUsageSchema, input);
  return writeUsageEvent(db, {
    kind: "sms",
    tenantId: v.tenantId,
    phoneMappingId: v.phoneMappingId,
    direction: v.direction,
    metadata: smsMetadataOf(v),
  });
}
