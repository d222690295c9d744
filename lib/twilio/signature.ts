// Every Twilio webhook must carry a valid X-Twilio-Signature, made with the auth token of the account
// named by its AccountSid, over the public URL Twilio called and every form parameter. A refused
// request is recorded (path, account, reason: never the token or the signature) and answered 403.
import "server-only";
import { validateRequest } from "twilio/lib/webhooks/webhooks";
import { getDb } from "@/db/client";
import { analyticsEvents } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { errorLogFields, logger, type Logger } from "@/lib/logging/logger";
import { authTokenForAccount, twilioAccountsFromEnv } from "./accounts";
import { paramOf, type TwilioForm } from "./form-body";
import { twilioSignedUrlOf } from "./public-url";

export const SIGNATURE_REJECTED_EVENT = "twilio_signature_rejected";

export interface VerifiedTwilioRequest {
  accountSid: string;
}

interface SignatureRejection {
  path: string;
  accountSid: string | undefined;
  reason: string;
  hadSignature: boolean;
}

/** A refused signature (403), carrying what recordTwilioRefusal records about it. */
export class TwilioSignatureRefusal extends BillingError {
  constructor(readonly rejection: SignatureRejection) {
    super("forbidden", `Twilio signature check failed: ${rejection.reason}.`);
  }
}

/**
 * The check alone, with no await (the webhook routes run it on every request): throws 500
 * (misconfigured) when no account is configured, and a TwilioSignatureRefusal (403) when the signature
 * is missing or wrong, which the caller records with recordTwilioRefusal (twilioWebhookRoute does).
 */
export function checkTwilioSignature(request: Request, form: TwilioForm): VerifiedTwilioRequest {
  const accounts = twilioAccountsFromEnv();
  const accountSid = paramOf(form.params, "AccountSid")?.trim();
  const lookup = authTokenForAccount(accounts, accountSid);
  const signature = request.headers.get("x-twilio-signature") ?? "";
  const url = twilioSignedUrlOf(request);

  let reason: string | undefined;
  if (!lookup.ok) reason = lookup.reason;
  else if (!signature) reason = "the X-Twilio-Signature header is missing";
  else if (!validateRequest(lookup.token, signature, url, form.params)) {
    reason = "the X-Twilio-Signature does not match this URL and body for the account's auth token";
  }
  if (reason === undefined && accountSid) return { accountSid };
  throw new TwilioSignatureRefusal({ path: new URL(url).pathname, accountSid, reason: reason ?? "unknown", hadSignature: signature !== "" });
}

/** checkTwilioSignature, with a refusal recorded before it is thrown. */
export async function verifyTwilioRequest(request: Request, form: TwilioForm): Promise<VerifiedTwilioRequest> {
  try {
    return checkTwilioSignature(request, form);
  } catch (err) {
    await recordTwilioRefusal(err, logger);
    throw err;
  }
}

/** Records `err` when it is a refused signature (see the limit below); anything else is left alone. */
export async function recordTwilioRefusal(err: unknown, log: Logger): Promise<void> {
  if (err instanceof TwilioSignatureRefusal) await recordSignatureRejection(err.rejection, log);
}

/**
 * Anyone on the internet can send an unsigned request, so recording every refusal would let them make
 * the database write without limit. At most this many refusals a minute are recorded and logged per
 * process; the rest are counted, and the count goes with the next record.
 */
export const SIGNATURE_REJECTIONS_RECORDED_PER_MINUTE = 60;
const rejectionWindow = { startedAt: 0, recorded: 0, suppressed: 0 };

/** Whether this refusal may be recorded now, and how many were skipped since the last recorded one. */
function admitRejectionRecord(now = Date.now()): { record: boolean; skippedBefore: number } {
  if (now - rejectionWindow.startedAt >= 60_000) {
    rejectionWindow.startedAt = now;
    rejectionWindow.recorded = 0;
  }
  if (rejectionWindow.recorded >= SIGNATURE_REJECTIONS_RECORDED_PER_MINUTE) {
    rejectionWindow.suppressed++;
    return { record: false, skippedBefore: 0 };
  }
  rejectionWindow.recorded++;
  const skippedBefore = rejectionWindow.suppressed;
  rejectionWindow.suppressed = 0;
  return { record: true, skippedBefore };
}

async function recordSignatureRejection(rejection: SignatureRejection, log: Logger): Promise<void> {
  const { record, skippedBefore } = admitRejectionRecord();
  if (!record) return;
  try {
    const db = await getDb();
    await db.insert(analyticsEvents).values({
      eventType: SIGNATURE_REJECTED_EVENT,
      actor: "twilio",
      properties: {
        path: rejection.path,
        account_sid: rejection.accountSid?.slice(0, 64) ?? null,
        reason: rejection.reason,
        had_signature: rejection.hadSignature,
        ...(skippedBefore > 0 ? { refusals_not_recorded_before: skippedBefore } : {}),
      },
    });
  } catch (err) {
    // The request is refused either way; losing the record must not turn a 403 into a 5xx.
    log.error({ err: errorLogFields(err) }, "could not record a signature rejection");
  }
  // The AccountSid is whatever the caller sent: cut short (JSON lines escape the rest), so it cannot
  // flood log lines; never the token or the signature.
  log.warn(
    {
      path: rejection.path,
      accountSid: rejection.accountSid?.slice(0, 40) ?? null,
      reason: rejection.reason,
      ...(skippedBefore > 0 ? { refusalsNotRecordedBefore: skippedBefore } : {}),
    },
    "refused a Twilio webhook: signature check failed",
  );
}
