// The one call a Twilio route makes after its signature check: a parsed callback is counted into the
// mapping that held the number at the event's time, kept unmatched, or (a status that bills nothing)
// acknowledged without a write.
import "server-only";
import { openedDb } from "@/db/client";
import { countOrKeepWebhookUsageEvent, type WebhookUsageOutcome } from "@/lib/billing/webhook-usage";
import type { ParsedTwilioCallback } from "./callbacks";
import { webhookDatabase } from "./webhook-response";

export type TwilioCallbackOutcome = WebhookUsageOutcome | { outcome: "ignored"; status: string; reason: string };

/**
 * Counts (or keeps) a countable callback in the process database. Errors are the ledger's and the
 * database's own; twilioWebhookRoute turns them into answers. No async layer of its own: the webhook
 * routes call it on every request.
 */
export function recordTwilioCallback(callback: ParsedTwilioCallback): Promise<TwilioCallbackOutcome> {
  if (!callback.countable) return Promise.resolve({ outcome: "ignored", status: callback.status, reason: callback.reason });
  const { event } = callback;
  // The mapping that held the number at the event's time (To for what it received, From for what it
  // sent: the parsers pick the number) is read in the same statement that counts the event.
  const db = openedDb();
  if (db) return countOrKeepWebhookUsageEvent(db, event);
  // Only until the database is open; one that cannot be opened is a 503 (webhookDatabase).
  return webhookDatabase().then((opened) => countOrKeepWebhookUsageEvent(opened, event));
}
