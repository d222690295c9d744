// Demo traffic shaped as Twilio sends it, through the webhook path itself (parsers and ledger): a few
// forwarded calls (the dialed leg shows the caller's number), a Voice SDK Client call, a dialed leg
// whose parent never reported (waiting in the unmatched inbox) and a signed callback with an address
// that is not a phone number (kept with its reason). SIDs are fixed, so a second seed counts nothing.
import "server-only";
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { queryRows, type Db } from "@/db/client";
import { countOrKeepWebhookUsageEvent } from "@/lib/billing/webhook-usage";
import { parseInboundMessage, parseVoiceStatusCallback } from "@/lib/twilio/callbacks";
import type { TwilioParams } from "@/lib/twilio/form-body";
import { keepUnreadableCallback } from "@/lib/twilio/unreadable-callbacks";

const sid = (prefix: string, name: string) => prefix + createHash("md5").update(`seed-legs-${name}`).digest("hex");
const rfc2822 = (at: Date) => at.toUTCString().replace("GMT", "+0000");

function completed(over: Record<string, string>, endedAt: Date): TwilioParams {
  return { AccountSid: "AC" + "0".repeat(32), CallStatus: "completed", Timestamp: rfc2822(endedAt), ...over };
}

/** Counts the demo's call legs and channel traffic; returns how many log entries that added. */
export async function seedDemoCallLegs(db: Db, tenantNumber: string, now = new Date()): Promise<number> {
  const logged = async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from tenant_usage_logs`))[0]?.n ?? 0;
  const before = await logged();
  const record = async (params: TwilioParams) => {
    const parsed = parseVoiceStatusCallback(params, now);
    if (parsed.countable) await countOrKeepWebhookUsageEvent(db, parsed.event);
  };
  const caller = "+13125550188";
  for (let i = 0; i < 3; i++) {
    const endedAt = new Date(now.getTime() - (i + 1) * 3_600_000);
    const parent = sid("CA", `forward-${i}`);
    // The dialed leg first, as Twilio often reports it: it waits, then is counted with its parent.
    await record(completed({ CallSid: sid("CA", `forward-${i}-dial`), ParentCallSid: parent, Direction: "outbound-dial", From: caller, To: "+14165550199", CallDuration: String(70 + i * 40) }, endedAt));
    await record(completed({ CallSid: parent, Direction: "inbound", From: caller, To: tenantNumber, CallDuration: String(95 + i * 40) }, endedAt));
  }
  const clientParent = sid("CA", "client");
  const clientEnded = new Date(now.getTime() - 5 * 3_600_000);
  await record(completed({ CallSid: clientParent, Direction: "inbound", From: "client:alice", To: "", CallDuration: "184" }, clientEnded));
  await record(completed({ CallSid: sid("CA", "client-dial"), ParentCallSid: clientParent, Direction: "outbound-dial", From: tenantNumber, To: "+16475550142", CallDuration: "180" }, clientEnded));
  // A dialed leg whose parent's callback never came: ops see it waiting (reconciliation would bring the parent).
  await record(completed({ CallSid: sid("CA", "orphan-dial"), ParentCallSid: sid("CA", "orphan"), Direction: "outbound-dial", From: caller, To: "+16475550143", CallDuration: "42" }, clientEnded));

  const messages: Record<string, string>[] = [
    { MessageSid: sid("SM", "whatsapp"), From: `whatsapp:${caller}`, To: `whatsapp:${tenantNumber}` },
    { MessageSid: sid("MM", "mms"), From: caller, To: tenantNumber, NumMedia: "1" },
  ];
  for (const [i, over] of messages.entries()) {
    const params: TwilioParams = { AccountSid: "AC" + "0".repeat(32), NumSegments: "1", ...over };
    const parsed = parseInboundMessage(params, new Date(now.getTime() - (i + 1) * 600_000));
    if (parsed.countable) await countOrKeepWebhookUsageEvent(db, parsed.event);
  }
  await keepUnreadableCallback(db, "sms_inbound", { AccountSid: "AC" + "0".repeat(32), MessageSid: sid("SM", "unreadable"), From: caller, To: "not-a-number" }, 'To is not a phone number: "not-a-number"', now);
  return (await logged()) - before;
}
