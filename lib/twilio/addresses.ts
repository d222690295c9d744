// The addresses on a Twilio callback. A call's tenant side is a phone number, or not a number at all (a
// Voice SDK Client `client:alice`, a SIP URI, an empty or named `To`): such a leg is routed through its
// call's other legs. A message's addresses carry its channel: `whatsapp:+1…` is a WhatsApp message to or
// from that number; the prefix is stripped before routing.
import type { MessageChannel } from "@/db/schema";
import { e164Schema } from "@/lib/validation";

export type TenantSide =
  | { phoneNumber: string }
  /** Why the tenant's side is not a number, e.g. `To is not a phone number: "client:alice"`. */
  | { phoneNumber: null; notANumber: string };

function notANumber(field: string, value: string): string {
  return value.trim() === "" ? `${field} is empty: not a phone number` : `${field} is not a phone number: ${JSON.stringify(value)}`;
}

/** The tenant's side of a call (`To` for what it received, `From` for what it placed). */
export function callTenantSide(fields: Record<string, string>, field: "To" | "From"): TenantSide {
  const value = fields[field] ?? "";
  const parsed = e164Schema.safeParse(value);
  return parsed.success ? { phoneNumber: parsed.data } : { phoneNumber: null, notANumber: notANumber(field, value) };
}

const WHATSAPP_PREFIX = "whatsapp:";

export type MessageAddress = { phoneNumber: string; whatsapp: boolean } | { problem: string };

/** A message's address: an E.164 number, optionally behind `whatsapp:`. */
export function messageAddress(fields: Record<string, string>, field: "To" | "From"): MessageAddress {
  const value = fields[field] ?? "";
  const whatsapp = value.trim().toLowerCase().startsWith(WHATSAPP_PREFIX);
  const parsed = e164Schema.safeParse(whatsapp ? value.trim().slice(WHATSAPP_PREFIX.length) : value);
  return parsed.success ? { phoneNumber: parsed.data, whatsapp } : { problem: notANumber(field, value) };
}

/**
 * The channel Twilio bills a message on: WhatsApp when an address is a `whatsapp:` one, MMS when it
 * carries media (an `MM` SID or NumMedia > 0), SMS otherwise.
 */
export function messageChannelOf(fields: Record<string, string>, messageSid: string, numMedia: number): MessageChannel {
  const prefixed = (field: "To" | "From") => (fields[field] ?? "").trim().toLowerCase().startsWith(WHATSAPP_PREFIX);
  if (prefixed("From") || prefixed("To")) return "whatsapp";
  if (messageSid.startsWith("MM") || numMedia > 0) return "mms";
  return "sms";
}
