// What each Twilio webhook request came to, counted per endpoint and outcome for
// billing_map_webhook_requests_total. The hot path is one increment of a number in a preallocated
// array (a route's meter is resolved once, when its module loads): prom-client's own label lookup
// hashes the labels and allocates on every call, so the counts reach its registry only at scrape
// time (registry.ts reads them in the counter's collect()).
import { BillingError, asBillingError } from "@/lib/errors";
import type { TwilioCallbackOutcome } from "@/lib/twilio/record-usage";

export const WEBHOOK_ENDPOINTS = ["voice_status", "sms_inbound", "sms_status"] as const;
export const WEBHOOK_OUTCOMES = ["counted", "duplicate", "unmatched", "ignored", "rejected_signature", "invalid", "unavailable"] as const;
export type WebhookEndpoint = (typeof WEBHOOK_ENDPOINTS)[number];
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

/**
 * The label of each answer recordTwilioCallback can give (a new kind of answer must be named here: the
 * compiler refuses the union otherwise). "invalid" is a signed callback whose fields could not be read,
 * answered 2xx and kept in the unmatched inbox with the reason.
 */
const OUTCOME_OF_RECORDED: Record<TwilioCallbackOutcome["outcome"], WebhookOutcome> = {
  counted: "counted",
  duplicate: "duplicate",
  unmatched: "unmatched",
  ignored: "ignored",
  invalid: "invalid",
};

/**
 * The label of a refused or failed request: a refused signature (403) is rejected_signature; any other
 * 4xx (a body that is not a form post, or too large) is invalid; everything else (503 database
 * unavailable, 500 misconfigured or a bug) is unavailable: the event was not stored.
 */
export function outcomeOfError(err: unknown): WebhookOutcome {
  const known = err instanceof BillingError ? err : asBillingError(err);
  if (!known) return "unavailable";
  if (known.code === "forbidden") return "rejected_signature";
  return known.status < 500 ? "invalid" : "unavailable";
}

const OUTCOME_INDEX = Object.fromEntries(WEBHOOK_OUTCOMES.map((o, i) => [o, i])) as Record<WebhookOutcome, number>;

/** Counts of every (endpoint, outcome), endpoint-major. */
export type WebhookCounts = Float64Array;

export function newWebhookCounts(): WebhookCounts {
  return new Float64Array(WEBHOOK_ENDPOINTS.length * WEBHOOK_OUTCOMES.length);
}

/** Index of (endpoint, outcome) in WebhookCounts. */
export function countIndexOf(endpoint: WebhookEndpoint, outcome: WebhookOutcome): number {
  return WEBHOOK_ENDPOINTS.indexOf(endpoint) * WEBHOOK_OUTCOMES.length + OUTCOME_INDEX[outcome];
}

/** One route's counter: resolved once per route module, then two array writes per request at most. */
export interface WebhookMeter {
  readonly endpoint: WebhookEndpoint;
  /** After recordTwilioCallback answered: counted, duplicate, unmatched, ignored. */
  recorded(outcome: TwilioCallbackOutcome["outcome"]): void;
  /** A request that ended in an error answer (see outcomeOfError). */
  failed(err: unknown): void;
}

export function webhookMeterOver(counts: WebhookCounts | undefined, endpoint: WebhookEndpoint): WebhookMeter {
  if (!counts) return { endpoint, recorded: () => undefined, failed: () => undefined };
  const base = WEBHOOK_ENDPOINTS.indexOf(endpoint) * WEBHOOK_OUTCOMES.length;
  return {
    endpoint,
    recorded: (outcome) => {
      counts[base + OUTCOME_INDEX[OUTCOME_OF_RECORDED[outcome]]]!++;
    },
    failed: (err) => {
      counts[base + OUTCOME_INDEX[outcomeOfError(err)]]!++;
    },
  };
}
