// The one call a Twilio route makes after its signature check: a parsed callback is counted into the
// mapping that held the number at the event's time, kept unmatched, or (a status that bills nothing)
// acknowledged without a write.
import "server-only";
import type { Db } from "@/db/client";
import { countOrKeepWebhookUsageEvent, type WebhookUsageOutcome } from "@/lib/billing/webhook-usage";
import { asBillingError } from "@/lib/errors";
import type { ParsedTwilioCallback } from "./callbacks";

export type TwilioCallbackOutcome = WebhookUsageOutcome | { outcome: "ignored"; status: string; reason: string };

export async function recordTwilioCallback(db: Db, callback: ParsedTwilioCallback): Promise<TwilioCallbackOutcome> {
  if (!callback.countable) return { outcome: "ignored", status: callback.status, reason: callback.reason };
  try {
    // The mapping that held the number at the event's time (To for what it received, From for what it
    // sent: the parsers pick the number) is looked up with the unmatched check in one coalesced read.
    return await countOrKeepWebhookUsageEvent(db, callback.event);
  } catch (err) {
    throw asBillingError(err) ?? err;
  }
}
