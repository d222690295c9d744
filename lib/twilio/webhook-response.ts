// How the Twilio routes answer: JSON for status callbacks, empty TwiML for an incoming message, and
// `{ success: false, error }` with the status of the error (Twilio looks only at the status; it retries
// 5xx and timeouts when the URL's connection overrides ask it to).
import "server-only";
import { asBillingError, BillingError } from "@/lib/errors";
import { databaseKind, getDb, type Db } from "@/db/client";
import { recordTwilioRefusal } from "./signature";

export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

export function emptyTwimlResponse(): Response {
  return new Response(EMPTY_TWIML, { status: 200, headers: { "content-type": "text/xml; charset=utf-8", "cache-control": "no-store" } });
}

export function twilioErrorResponse(err: unknown): Response {
  const known = asBillingError(err);
  if (known) {
    if (known.status >= 500) console.error(`[twilio] ${known.code}: ${known.message}`, known.cause instanceof Error ? known.cause.message : "");
    return Response.json(
      { success: false, error: known.message, ...(known.fieldErrors ? { fieldErrors: known.fieldErrors } : {}) },
      { status: known.status, headers: { "cache-control": "no-store" } },
    );
  }
  console.error("[twilio] webhook failed:", err);
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
    console.error(`[twilio] the ${databaseKind()} database could not be opened:`, err instanceof Error ? err.message : err);
    throw new BillingError("unavailable", "The database is not ready; the webhook was not recorded. Try again shortly.", { cause: err });
  }
}

/**
 * Runs a webhook handler, turning any error into its JSON error answer; a refused signature
 * (checkTwilioSignature) is recorded first.
 */
export function twilioWebhookRoute(handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return await handler(request);
    } catch (err) {
      await recordTwilioRefusal(err);
      return twilioErrorResponse(err);
    }
  };
}
