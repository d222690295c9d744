// The three Twilio callbacks this service counts, parsed with zod into usage events. Only what counting
// needs is checked: an unknown status or an extra parameter is accepted and counts nothing; a missing or
// malformed field that counting needs throws invalid_input naming the field (record-usage.ts keeps such
// a signed callback in the unmatched inbox with that reason: nothing signed is refused).
import { z } from "zod";
import type { WebhookUsageEvent } from "@/lib/billing/webhook-usage";
import { BillingError } from "@/lib/errors";
import { callSidSchema, messageSidSchema, parseInput } from "@/lib/validation";
import { callTenantSide, messageAddress, messageChannelOf } from "./addresses";
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
  // A dialed leg's parent call (absent on a parent leg).
  ParentCallSid: z.preprocess((v) => (v === "" ? undefined : v), callSidSchema.optional()),
});

const numMedia = z
  .string()
  .trim()
  .regex(/^\d{1,3}$/, "NumMedia must be a whole number")
  .transform(Number)
  .optional();

/** A message's tenant number (To for what it received, From for what it sent) and its channel. */
function messageRoute(fields: Record<string, string>, field: "To" | "From", messageSid: string, media: number | undefined) {
  const address = messageAddress(fields, field);
  if ("problem" in address) throw new BillingError("invalid_input", address.problem, { fieldErrors: { [field]: [address.problem] } });
  return { phoneNumber: address.phoneNumber, channel: messageChannelOf(fields, messageSid, media ?? 0) };
}

// Object.assign, not spreads: a spread of differently shaped objects costs V8 about 1 µs per copy, on
// every webhook.
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
  // A leg whose tenant side is not a number (Client, SIP) is routed through its call's other legs.
  const tenantSide = callTenantSide(fields, side.tenantField);
  // The call's start decides the period: the completed event's time less the call's length.
  const startedAt = call.Timestamp ? new Date(call.Timestamp.getTime() - call.CallDuration * 1000) : receivedAt;
  const metadata = twilioMetadata(fields, { direction: side.direction, twilio_direction: call.Direction, call_status: status });
  if (call.ParentCallSid) metadata.parent_call_sid = call.ParentCallSid;
  return {
    countable: true,
    event: {
      usageType: "voice",
      direction: side.direction,
      phoneNumber: tenantSide.phoneNumber,
      notANumber: tenantSide.phoneNumber === null ? tenantSide.notANumber : undefined,
      providerSid: call.CallSid,
      parentCallSid: call.ParentCallSid,
      accountSid: fields.AccountSid,
      eventAt: startedAt,
      voiceSeconds: call.CallDuration,
      metadata,
      payload: params,
    },
  };
}

const inboundMessageSchema = z.object({ MessageSid: messageSidSchema, NumSegments: segments, NumMedia: numMedia });

/** POST /api/twilio/sms/inbound: a message the tenant's number (To) received, with its segments and channel. */
export function parseInboundMessage(params: TwilioParams, receivedAt: Date = new Date()): ParsedTwilioCallback {
  const fields = singleValuedParams(params);
  const message = parseInput(inboundMessageSchema, fields);
  const route = messageRoute(fields, "To", message.MessageSid, message.NumMedia);
  return {
    countable: true,
    event: {
      usageType: "sms",
      direction: "inbound",
      channel: route.channel,
      phoneNumber: route.phoneNumber,
      providerSid: message.MessageSid,
      accountSid: fields.AccountSid,
      eventAt: receivedAt,
      smsSegments: message.NumSegments ?? 1,
      metadata: twilioMetadata(fields, { channel: route.channel, message_status: fields.SmsStatus ?? "received" }),
      payload: params,
    },
  };
}

const sentMessageSchema = z.object({ MessageSid: messageSidSchema, NumSegments: segments, NumMedia: numMedia });

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
  const route = messageRoute(fields, "From", message.MessageSid, message.NumMedia);
  return {
    countable: true,
    event: {
      usageType: "sms",
      direction: "outbound",
      channel: route.channel,
      phoneNumber: route.phoneNumber,
      providerSid: message.MessageSid,
      accountSid: fields.AccountSid,
      eventAt: receivedAt,
      // Status callbacks carry no NumSegments: an outbound message counts as one segment unless told.
      smsSegments: message.NumSegments ?? 1,
      metadata: twilioMetadata(fields, { channel: route.channel, message_status: status }),
      payload: params,
    },
  };
}
