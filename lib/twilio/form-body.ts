// Reads a Twilio webhook body (application/x-www-form-urlencoded) with a size limit. Every parameter is
// kept, repeated ones as arrays, because the signature covers all of them.
import { BillingError } from "@/lib/errors";

/** Twilio's largest bodies (an SMS of 1600 characters plus media URLs) are a few KiB. */
export const TWILIO_BODY_LIMIT_BYTES = 64 * 1024;

export type TwilioParams = Record<string, string | string[]>;

export interface TwilioForm {
  /** Every received parameter, as the signature validator wants them. */
  params: TwilioParams;
}

const tooLarge = (limit: number) =>
  new BillingError("payload_too_large", `The request body is larger than ${Math.floor(limit / 1024)} KiB.`);

async function readTextWithLimit(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The form parameters of a Twilio webhook; 415 for another content type, 413 over the limit. */
export async function readTwilioForm(request: Request, limit = TWILIO_BODY_LIMIT_BYTES): Promise<TwilioForm> {
  const contentType = request.headers.get("content-type")?.toLowerCase() ?? "";
  if (!contentType.startsWith("application/x-www-form-urlencoded")) {
    throw new BillingError("unsupported_media_type", "Twilio webhooks are form posts: Content-Type must be application/x-www-form-urlencoded.");
  }
  const text = await readTextWithLimit(request, limit);
  // No prototype: a parameter may be named like an Object.prototype member (__proto__, toString), and
  // it must be kept as sent, or the signature over every parameter no longer matches. Without one, a
  // plain assignment stores any name as an own property (cheaper per parameter than defineProperty).
  const params = Object.create(null) as TwilioParams;
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = params[key];
    params[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { params };
}

/** The (first) value of a parameter. */
export function paramOf(params: TwilioParams, name: string): string | undefined {
  const value = Object.hasOwn(params, name) ? params[name] : undefined;
  return Array.isArray(value) ? value[0] : value;
}

/** One value per parameter (the first of repeated ones), for the zod parsers. */
export function singleValuedParams(params: TwilioParams): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(params)) {
    const value = params[key];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = first;
  }
  return out;
}
