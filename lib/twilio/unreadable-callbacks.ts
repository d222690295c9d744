// A callback with a valid signature whose fields cannot be counted (an address that is not a phone
// number, a malformed duration) is never refused: Twilio would give up on it, or retry it into the same
// refusal, and the event would be gone. It is kept in the unmatched inbox with the reason, once per event:
// under its usage key when its SID is readable, else once per distinct body (a retry of the same body is
// the same event).
import "server-only";
import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import type { SmsDirection } from "@/db/schema";
import { recordUnmatchedUsageEvent, usageIdempotencyKey } from "@/lib/billing/unmatched";
import { callSidSchema, messageSidSchema } from "@/lib/validation";
import { callTenantSide, messageAddress } from "./addresses";
import { singleValuedParams, type TwilioParams } from "./form-body";

export type TwilioEndpoint = "voice_status" | "sms_inbound" | "sms_status";

function canonicalBody(params: TwilioParams): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

function callDirection(direction: string | undefined): SmsDirection | undefined {
  const d = (direction ?? "").trim().toLowerCase();
  if (d === "inbound" || d === "trunking-terminating") return "inbound";
  if (d.startsWith("outbound") || d === "trunking-originating") return "outbound";
  return undefined;
}

/** Keeps an unreadable signed callback with `reason`; resolves whether it was stored now (false: a retry). */
export async function keepUnreadableCallback(db: Db, endpoint: TwilioEndpoint, params: TwilioParams, reason: string, receivedAt = new Date()): Promise<{ stored: boolean }> {
  const fields = singleValuedParams(params);
  const voice = endpoint === "voice_status";
  const direction = voice ? callDirection(fields.Direction) : endpoint === "sms_inbound" ? "inbound" : "outbound";
  const sid = (voice ? callSidSchema : messageSidSchema).safeParse(fields[voice ? "CallSid" : "MessageSid"] ?? "");
  const tenantField = direction === "outbound" ? "From" : "To";
  const address = voice ? callTenantSide(fields, tenantField) : messageAddress(fields, tenantField);
  const idempotencyKey =
    sid.success && (voice || direction)
      ? usageIdempotencyKey({ usageType: voice ? "voice" : "sms", direction: direction ?? "inbound", providerSid: sid.data })
      : `unreadable:${endpoint}:${createHash("sha256").update(canonicalBody(params)).digest("hex")}`;
  const kept = await recordUnmatchedUsageEvent(db, {
    idempotencyKey,
    usageType: voice ? "voice" : "sms",
    direction,
    phoneNumber: "phoneNumber" in address ? address.phoneNumber : null,
    providerSid: sid.success ? sid.data : undefined,
    accountSid: fields.AccountSid,
    eventAt: receivedAt,
    payload: params,
    reason: `Could not be read: ${reason}`,
  });
  return { stored: kept.kept && kept.stored };
}
