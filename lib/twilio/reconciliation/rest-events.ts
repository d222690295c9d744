// A call or message from Twilio's REST API turned into exactly the usage event its webhook would have
// been: its fields are written as the callback's parameters and parsed by the webhook parsers
// themselves (callbacks.ts), so the rule of what counts, for how much, at what time and under which key
// exists once. What the REST record knows and a callback may not (a message's NumSegments, Twilio's
// price) travels with it.
import type { ReconciliationEvent, ReconciliationProbe } from "@/lib/billing/reconciliation-batch";
import { usageIdempotencyKey } from "@/lib/billing/unmatched";
import { BillingError } from "@/lib/errors";
import { parseInboundMessage, parseMessageStatusCallback, parseVoiceStatusCallback, type ParsedTwilioCallback } from "../callbacks";
import type { TwilioParams } from "../form-body";
import type { TwilioCallResource, TwilioMessageResource } from "../rest-client";
import type { TwilioEndpoint } from "../unreadable-callbacks";

export type RestRecordReading =
  | { kind: "countable"; event: ReconciliationEvent }
  /** Twilio bills nothing for it (failed, canceled, busy, no-answer, not sent yet). */
  | { kind: "not_billed"; sid: string; reason: string }
  /** A field counting needs could not be read: kept in the unmatched inbox as its callback would be. */
  | { kind: "unreadable"; sid: string; reason: string; endpoint: TwilioEndpoint; params: TwilioParams; at: Date };

const PRICE = /^-?\d{1,12}(\.\d{1,6})?$/;
const CURRENCY = /^[A-Za-z]{3}$/;

function priceOf(price: unknown, unit: unknown): { price: string | null; priceUnit: string | null } {
  const p = typeof price === "number" ? String(price) : price;
  if (typeof p !== "string" || !PRICE.test(p.trim()) || typeof unit !== "string" || !CURRENCY.test(unit.trim())) {
    return { price: null, priceUnit: null };
  }
  return { price: p.trim(), priceUnit: unit.trim().toUpperCase() };
}

/** A time as Twilio's REST API gives it (RFC 2822, which Date.parse reads). */
function timeOf(value: string | null | undefined): number | undefined {
  if (typeof value === "string" && value) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

interface Callback {
  sid: string;
  endpoint: TwilioEndpoint;
  params: TwilioParams;
  at: Date;
  parse(params: TwilioParams, at: Date): ParsedTwilioCallback;
}

function reading(callback: Callback, price: { price: string | null; priceUnit: string | null }): RestRecordReading {
  let parsed: ParsedTwilioCallback;
  try {
    parsed = callback.parse(callback.params, callback.at);
  } catch (err) {
    if (err instanceof BillingError && err.code === "invalid_input") {
      return { kind: "unreadable", sid: callback.sid, reason: err.message, endpoint: callback.endpoint, params: callback.params, at: callback.at };
    }
    throw err;
  }
  const sid = callback.sid;
  if (!parsed.countable) return { kind: "not_billed", sid, reason: parsed.reason };
  // Where the entry came from: the REST API, not a callback.
  parsed.event.metadata.source = "twilio_rest_api";
  return { kind: "countable", event: { event: parsed.event, price: price.price, priceUnit: price.priceUnit } };
}

/** The parameters of the status callback that reports `call`'s current status. */
export function voiceCallbackParamsOf(call: TwilioCallResource): TwilioParams {
  const params: TwilioParams = {
    AccountSid: call.account_sid,
    CallSid: call.sid,
    CallStatus: call.status,
    Direction: call.direction,
    From: call.from ?? "",
    To: call.to ?? "",
    ApiVersion: call.api_version ?? "2010-04-01",
  };
  if (call.parent_call_sid) params.ParentCallSid = call.parent_call_sid;
  if (call.duration !== null && call.duration !== undefined) params.CallDuration = String(call.duration);
  return params;
}

/**
 * The call's start is what decides its owner and period. Its status callback's Timestamp (the time it
 * ended) less its duration is that instant; the REST API gives the start itself, so it is handed to the
 * parser as the time of the callback instead of being written out and parsed back.
 */
export function readCall(call: TwilioCallResource): RestRecordReading {
  const at = new Date(timeOf(call.start_time) ?? timeOf(call.date_created) ?? Date.now());
  return reading(
    { sid: call.sid, endpoint: "voice_status", params: voiceCallbackParamsOf(call), at, parse: parseVoiceStatusCallback },
    priceOf(call.price, call.price_unit),
  );
}

/**
 * The status Twilio's callback would have counted the message at. The REST API shows a message's latest
 * status; a WhatsApp message now "read" was delivered before (and billed at that callback).
 */
function callbackStatusOf(status: string): string {
  return status === "read" ? "delivered" : status;
}

/** The parameters of the callback of `message`: the inbound-message webhook, or an outbound status callback. */
export function messageCallbackParamsOf(message: TwilioMessageResource): TwilioParams {
  const params: TwilioParams = {
    AccountSid: message.account_sid,
    MessageSid: message.sid,
    SmsSid: message.sid,
    From: message.from ?? "",
    To: message.to ?? "",
    NumMedia: String(message.num_media ?? "0"),
    ApiVersion: message.api_version ?? "2010-04-01",
  };
  // A message sent through a Messaging Service shows 0 segments until a sender is assigned.
  const segments = String(message.num_segments ?? "");
  if (/^\d+$/.test(segments) && Number(segments) > 0) params.NumSegments = segments;
  if (message.direction === "inbound") params.SmsStatus = message.status;
  else params.MessageStatus = params.SmsStatus = callbackStatusOf(message.status);
  return params;
}

/**
 * What the ledger is asked of a call before it is read: the key and seconds its status callback's event
 * carries (the parser decides what the call is; this only spares it the calls counted already).
 */
export function probeOfCall(call: TwilioCallResource): ReconciliationProbe {
  const seconds = call.duration === null || call.duration === undefined || call.duration === "" ? Number.NaN : Number(call.duration);
  return {
    key: usageIdempotencyKey({ usageType: "voice", direction: "inbound", providerSid: call.sid }),
    value: Number.isSafeInteger(seconds) && seconds >= 0 ? seconds : -1,
    ...priceOf(call.price, call.price_unit),
  };
}

/** The same of a message: its callback's key (the inbound webhook's, or an outbound status callback's) and segments. */
export function probeOfMessage(message: TwilioMessageResource): ReconciliationProbe {
  const segments = messageCallbackParamsOf(message).NumSegments;
  return {
    key: usageIdempotencyKey({ usageType: "sms", direction: message.direction === "inbound" ? "inbound" : "outbound", providerSid: message.sid }),
    value: segments === undefined ? 1 : Number(segments),
    ...priceOf(message.price, message.price_unit),
  };
}

export function readMessage(message: TwilioMessageResource): RestRecordReading {
  const price = priceOf(message.price, message.price_unit);
  if (message.direction === "inbound" && message.status !== "received") {
    return { kind: "not_billed", sid: message.sid, reason: `an inbound message "${message.status}" was not received` };
  }
  const at = timeOf(message.date_sent);
  if (at === undefined) return { kind: "not_billed", sid: message.sid, reason: `message status "${message.status}": never sent` };
  const inbound = message.direction === "inbound";
  return reading(
    {
      sid: message.sid,
      endpoint: inbound ? "sms_inbound" : "sms_status",
      params: messageCallbackParamsOf(message),
      at: new Date(at),
      parse: inbound ? parseInboundMessage : parseMessageStatusCallback,
    },
    price,
  );
}
