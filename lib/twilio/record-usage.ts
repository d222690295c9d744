// The one call a Twilio route makes after its signature check: a parsed callback is counted into the
// mapping that held the number at the event's time, kept unmatched, or (a status that bills nothing)
// acknowledged without a write; a callback whose fields cannot be read is kept with the reason.
import "server-only";
import { openedDb, type Db } from "@/db/client";
import { countOrKeepWebhookUsageEvent, type WebhookUsageOutcome } from "@/lib/billing/webhook-usage";
import { asBillingError } from "@/lib/errors";
import type { ParsedTwilioCallback } from "./callbacks";
import type { TwilioParams } from "./form-body";
import { keepUnreadableCallback, type TwilioEndpoint } from "./unreadable-callbacks";
import { webhookDatabase } from "./webhook-response";

export type { TwilioEndpoint } from "./unreadable-callbacks";

export type TwilioCallbackOutcome =
  | WebhookUsageOutcome
  | { outcome: "ignored"; status: string; reason: string }
  /** Signed, but a field counting needs could not be read: kept in the unmatched inbox with the reason. */
  | { outcome: "invalid"; stored: boolean; reason: string };

function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = openedDb();
  if (db) return work(db);
  // Only until the database is open; one that cannot be opened is a 503 (webhookDatabase).
  return webhookDatabase().then(work);
}

/**
 * Parses and counts (or keeps) a signed callback in the process database. Errors are the ledger's and
 * the database's own; twilioWebhookRoute turns them into answers. No async layer of its own on the
 * counted path: the webhook routes call it on every request.
 */
export function recordTwilioCallback(
  endpoint: TwilioEndpoint,
  params: TwilioParams,
  parse: (params: TwilioParams) => ParsedTwilioCallback,
): Promise<TwilioCallbackOutcome> {
  let callback: ParsedTwilioCallback;
  try {
    callback = parse(params);
  } catch (err) {
    const known = asBillingError(err);
    if (known?.code !== "invalid_input") throw err;
    return withDb((db) => keepUnreadableCallback(db, endpoint, params, known.message)).then((kept) => ({
      outcome: "invalid" as const,
      stored: kept.stored,
      reason: known.message,
    }));
  }
  if (!callback.countable) return Promise.resolve({ outcome: "ignored", status: callback.status, reason: callback.reason });
  const { event } = callback;
  // The mapping that held the number at the event's time (To for what it received, From for what it
  // sent: the parsers pick the number) is read in the same statement that counts the event.
  return withDb((db) => countOrKeepWebhookUsageEvent(db, event));
}
