// Counting usage: typed calls into the SQL functions log_voice_usage / log_sms_usage, which hold the
// rule (period, rounding, exactly-once) in one place for the webhooks, the API and psql alike.
import "server-only";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { smsDirections } from "@/db/schema";
import { rethrowAsBillingError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";

export interface UsageLogResult {
  /** false when this provider event had been counted before (nothing changed). */
  counted: boolean;
  logId: number;
  counterId: string;
  billingPeriodStart: string;
  billingPeriodEnd: string;
}

const metadataSchema = z.record(z.string(), z.unknown()).default({});
const providerSid = (label: string) =>
  z.string({ error: `${label} is required` }).trim().min(1, `${label} is required`).max(64, `${label} is too long`);

export const logVoiceUsageSchema = z.object({
  tenantId: z.string().min(1, "tenantId is required"),
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
  tenantId: z.string().min(1, "tenantId is required"),
  phoneMappingId: z.uuid({ error: "phoneMappingId must be a mapping id (uuid)" }),
  direction: z.enum(smsDirections, { error: 'direction must be "inbound" or "outbound"' }),
  messageSid: providerSid("messageSid"),
  numSegments: z.number().int().min(1, "numSegments must be at least 1").max(9999).optional(),
  /** When the message was sent or received: decides the billing period. Default: now. */
  timestamp: z.date().optional(),
  metadata: metadataSchema,
});
export type LogSmsUsageInput = z.input<typeof logSmsUsageSchema>;

interface ResultRow {
  counted: boolean;
  log_id: string;
  counter_id: string;
  billing_period_start: string;
  billing_period_end: string;
}

function toResult(row: ResultRow | undefined): UsageLogResult {
  if (!row) throw new Error("usage function returned no row");
  return {
    counted: row.counted,
    logId: Number(row.log_id),
    counterId: row.counter_id,
    billingPeriodStart: row.billing_period_start,
    billingPeriodEnd: row.billing_period_end,
  };
}

const resultColumns = sql.raw(
  "counted, log_id::text as log_id, counter_id::text as counter_id, " +
    "billing_period_start::text as billing_period_start, billing_period_end::text as billing_period_end",
);

/** The metadata stored with a call: the caller's, plus the keys the SQL function reads. */
export function voiceMetadataOf(input: z.output<typeof logVoiceUsageSchema>): Record<string, unknown> {
  return {
    ...input.metadata,
    call_sid: input.callSid,
    ...(input.startedAt ? { started_at: input.startedAt.toISOString() } : {}),
  };
}

export function smsMetadataOf(input: z.output<typeof logSmsUsageSchema>): Record<string, unknown> {
  return {
    ...input.metadata,
    message_sid: input.messageSid,
    ...(input.numSegments !== undefined ? { num_segments: input.numSegments } : {}),
    ...(input.timestamp ? { timestamp: input.timestamp.toISOString() } : {}),
  };
}

/** Counts one call, exactly once per CallSid, into the period the call started in. */
export async function logVoiceUsage(db: Db, input: LogVoiceUsageInput): Promise<UsageLogResult> {
  const v = parseInput(logVoiceUsageSchema, input);
  try {
    const rows = await queryRows<ResultRow>(
      db,
      sql`select ${resultColumns} from log_voice_usage(${v.tenantId}, ${v.phoneMappingId}::uuid, ${v.durationSeconds}::integer, ${JSON.stringify(voiceMetadataOf(v))}::jsonb)`,
    );
    return toResult(rows[0]);
  } catch (err) {
    rethrowAsBillingError(err);
  }
}

/** Counts one message in one direction, exactly once per (MessageSid, direction). */
export async function logSmsUsage(db: Db, input: LogSmsUsageInput): Promise<UsageLogResult> {
  const v = parseInput(logSmsUsageSchema, input);
  try {
    const rows = await queryRows<ResultRow>(
      db,
      sql`select ${resultColumns} from log_sms_usage(${v.tenantId}, ${v.phoneMappingId}::uuid, ${v.direction}, ${JSON.stringify(smsMetadataOf(v))}::jsonb)`,
    );
    return toResult(rows[0]);
  } catch (err) {
    rethrowAsBillingError(err);
  }
}
