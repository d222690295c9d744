// The three Twilio callbacks this service counts, parsed with zod into usage events. Only what counting
// needs is checked: an unknown status or an extra parameter is accepted and counts nothing; a missing or
// malformed field that counting needs is a 400 (invalid_input) naming the field.
import { z } from "zod";
import type { WebhookUsageEvent } from "@/lib/billing/webhook-usage";
import { BillingError } from "@/lib/errors";
import { callSidSchema, e164Schema, messageSidSchema, parseInput } from "@/lib/validation";
import { singleValuedParams, type TwilioParams } from "./form-body";

export type ParsedTwilioCallback =
  | { countable: true; event: WebhookUsageEvent }
  | { countable: false; status: string; reason: string };

/** Statuses of a call that are not its end, or an end that bills no minutes. */
export const UNBILLED_CALL_STATUSES = ["queued", "initiated", "ringing", "in-progress", "busy", "no-answer", "failed", "canceled"] as const;
/** Message statuses Twilio bills an outbound message at; the first one seen counts it. */
export const BILLED_MESSAGE_STATUSES = ["sent", "delivered", "undelivered"] as const;

const statusSchema = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`)
    .max(64, `${name} is too long`)
    .transform((s) => s.toLowerCase());

const wholeSeconds = z
  .string({ error: "CallDuration is required for a completed call" })
  .trim()
  .regex(/^\d{1,9}$/, "CallDuration must be a whole number of seconds")
  .transform(Number);

const segments = z
  .string()
  .trim()
  .regex(/^\d{1,4}$/, "NumSegments must be a whole number from 1")
  .transform(Number)
  .refine((n) => n >= 1, "NumSegments must be a whole number from 1")
  .optional();

/** Twilio's Timestamp parameter is an RFC 2822 date, e.g. "Mon, 16 Aug 2010 03:45:01 +0000". */
const rfc2822Timestamp = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const ms = Date.parse(value);
    if (!value || Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: 'Timestamp must be a date such as "Mon, 16 Aug 2010 03:45:01 +0000"' });
      return z.NEVER;
    }
    return new Date(ms);
  })
  .optional();

// Built once: zod compiles an object schema on its first parse, which per request would cost more than
// the parse itself.
const callStatusSchema = z.object({ CallStatus: statusSchema("CallStatus") });
const messageStatusSchema = z.object({ MessageStatus: statusSchema("MessageStatus") });

/** The tenant's side of a call: To for calls into the number, From for calls it places. */
function callDirectionOf(direction: string): { direction: "inbound" | "outbound"; tenantField: "To" | "From" } | undefined {
  if (direction === "inbound" || direction === "trunking-terminating") return { direction: "inbound", tenantField: "To" };
  if (direction.startsWith("outbound") || direction === "trunking-originating") return { direction: "outbound", tenantField: "From" };
  return undefined;
}

const completedCallSchema = z.object({
  CallSid: callSidSchema,
  CallDuration: wholeSeconds,
  Direction: z
    .string({ error: "Direction is required for a completed call" })
    .trim()
    .transform((d) => d.toLowerCase())
    .refine((d) => callDirectionOf(d) !== undefined, "Direction must be inbound or outbound-api / outbound-dial"),
  Timestamp: rfc2822Timestamp,
});

function tenantNumber(fields: Record<string, string>, field: "To" | "From"): string {
  const result = e164Schema.safeParse(fields[field] ?? "");
  if (result.success) return result.data;
  const message = `${field} must be the tenant's phone number in E.164 form (${result.error.issues[0]?.message ?? "invalid"})`;
  throw new BillingError("invalid_input", message, { fieldErrors: { [field]: [message] } });
}

// Object.assign, not spreads: a spread of differently shaped objects costs V8 about 1 µs per copy on
// the webhook path (BENCHMARKS.md).
function twilioMetadata(fields: Record<string, string>, extra: Record<string, unknown>): Record<string, unknown> {
  return Object.assign({ source: "twilio_webhook", account_sid: fields.AccountSid, from: fields.From, to: fields.To }, extra);
}

/** POST /api/twilio/voice/status: a completed call counts its CallDuration; every other status nothing. */
export function parseVoiceStatusCallback(params: TwilioParams, receivedAt: Date = new Date()): ParsedTwilioCallback {
  const fields = singleValuedParams(params);
  const status = parseInput(callStatusSchema, fields).CallStatus;
  if (status !== "completed") {
    const known = (UNBILLED_CALL_STATUSES as readonly string[]).includes(status);
    return { countable: false, status, reason: known ? `a ${status} call bills no minutes` : `call status "${status}" is not one that bills minutes` };
  }
  const call = parseInput(completedCallSchema, fields);
  const side = callDirectionOf(call.Direction)!;
  const phoneNumber = tenantNumber(fields, side.tenantField);
  // The call's start decides the period: the completed event's time less the call's length.
  const startedAt = call.Timestamp ? new Date(call.Timestamp.getTime() - call.CallDuration * 1000) : receivedAt;
  return {
    countable: true,
    event: {
      usageType: "voice",
      direction: side.direction,
      phoneNumber,
      providerSid: call.CallSid,
      accountSid: fields.AccountSid,
      eventAt: startedAt,
      voiceSeconds: call.CallDuration,
      metadata: twilioMetadata(fields, { direction: side.direction, twilio_direction: call.Direction, call_status: status }),
      payload: params,
    },
  };
}

const inboundMessageSchema = z.object({ MessageSid: messageSidSchema, NumSegments: segments });

/** POST /api/twilio/sms/inbound: a message the tenant's number (To) received, with its segments. */
export function parseInboundMessage(params: TwilioParams, receivedAt: Date = new Date()): ParsedTwilioCallback {
  const fields = singleValuedParams(params);
  const message = parseInput(inboundMessageSchema, fields);
  const phoneNumber = tenantNumber(fields, "To");
  return {
    countable: true,
    event: {
      usageType: "sms",
      direction: "inbound",
      phoneNumber,
      providerSid: message.MessageSid,
      accountSid: fields.AccountSid,
      eventAt: receivedAt,
      smsSegments: message.NumSegments ?? 1,
      metadata: twilioMetadata(fields, { message_status: fields.SmsStatus ?? "received" }),
      payload: params,
    },
  };
}

const sentMessageSchema = z.object({ MessageSid: messageSidSchema, NumSegments: segments });

/**
 * POST /api/twilio/sms/status: an outbound message counts once, as sent, at the first status Twilio
 * bills (sent, delivered, undelivered); the idempotency key makes every later callback count nothing.
 */
export function parseMessageStatusCallback(params: TwilioParams, receivedAt: Date = new Date()): ParsedTwilioCallback {
  const fields = singleValuedParams(params);
  const status = parseInput(messageStatusSchema, { MessageStatus: fields.MessageStatus ?? fields.SmsStatus }).MessageStatus;
  if (!(BILLED_MESSAGE_STATUSES as readonly string[]).includes(status)) {
    return { countable: false, status, reason: `message status "${status}" does not bill a message` };
  }
  const message = parseInput(sentMessageSchema, fields);
  const phoneNumber = tenantNumber(fields, "From");
  return {
    countable: true,
    event: {
      usageType: "sms",
      direction: "outbound",
      phoneNumber,
      providerSid: message.MessageSid,
      accountSid: fields.AccountSid,
      eventAt: receivedAt,
      // Status callbacks carry no NumSegments: an outbound message counts as one segment unless told.
      smsSegments: message.NumSegments ?? 1,
      metadata: twilioMetadata(fields, { message_status: status }),
      payload: params,
    },
  };
}
