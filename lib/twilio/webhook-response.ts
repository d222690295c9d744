// How the Twilio routes answer: JSON for status callbacks, empty TwiML for an incoming message, and
// `{ success: false, error }` with the status of the error (Twilio looks only at the status; it retries
// 5xx and timeouts when the URL's connection overrides ask it to). Every request is counted once in
// billing_map_webhook_requests_total: the route counts what recordTwilioCallback answered, this
// wrapper what ended in an error.
import "server-only";
import { asBillingError, BillingError } from "@/lib/errors";
import { databaseKind, getDb, type Db } from "@/db/client";
import { errorLogFields, logger, requestLogFields, webhookRequestId, type Logger } from "@/lib/logging/logger";
import type { WebhookMeter } from "@/lib/metrics/webhook-outcomes";
import { recordTwilioRefusal } from "./signature";

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function emptyTwimlResponse(): Response {
  return new Response(EMPTY_TWIML, { status: 200, headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" } });
}

export function twilioErrorResponse(err: unknown, log: Logger = logger): Response {
  const known = asBillingError(err);
  if (known) {
    if (known.status >= 500) log.error({ code: known.code, err: errorLogFields(known) }, "webhook not recorded");
    return Response.json(
      { success: false, error: known.message, ...(known.fieldErrors ? { fieldErrors: known.fieldErrors } : {}) },
      { status: known.status, headers: { "cache-control": "no-store" } },
    );
  }
  log.error({ err: errorLogFields(err) }, "webhook failed");
  return Response.json(
    { success: false, error: "The webhook could not be processed; it was not recorded. Twilio may retry it." },
    { status: 500, headers: { "cache-control": "no-store" } },
  );
}

/**
 * The process database; a database that cannot be opened (unreachable, or its migrations failed) is a
 * 503 (Twilio retries), never success and never a 500: nothing was stored, and it may work next time.
 */
export async function webhookDatabase(): Promise<Db> {
  try {
    return await getDb();
  } catch (err) {
    const known = asBillingError(err);
    if (known) throw known;
    logger.error({ database: databaseKind(), err: errorLogFields(err) }, "the database could not be opened");
    throw new BillingError("unavailable", "The database is not ready; the webhook was not recorded. Try again shortly.", { cause: err });
  }
}

/**
 * Runs a webhook handler, turning any error into its JSON error answer, counted on the route's meter
 * and logged with the request's id; a refused signature (checkTwilioSignature) is recorded first.
 * The handler counts its own answers (meter.recorded) after recordTwilioCallback.
 */
export function twilioWebhookRoute(meter: WebhookMeter, handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return await handler(request);
    } catch (err) {
      meter.failed(err);
      const log = logger.child({ requestId: webhookRequestId(request), endpoint: meter.endpoint, request: requestLogFields(request) });
      await recordTwilioRefusal(err, log);
      return twilioErrorResponse(err, log);
    }
  };
}
