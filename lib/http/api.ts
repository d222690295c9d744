// JSON route handlers: reading a bounded JSON body and answering errors as `{ success: false, error }`
// with the error's status. Unknown failures are logged by name and answered with a fixed sentence.
import "server-only";
import { asBillingError, BillingError } from "@/lib/errors";
import { errorLogFields, logger } from "@/lib/logging/logger";

export const JSON_BODY_LIMIT = 64 * 1024;

/** The parsed JSON body: 415 unless it is JSON, 413 past `maxBytes`, 400 when it does not parse. */
export async function readJsonBody(request: Request, maxBytes = JSON_BODY_LIMIT): Promise<unknown> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new BillingError("unsupported_media_type", "Send the body as JSON with Content-Type: application/json");
  }
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new BillingError("payload_too_large", `The body must be at most ${maxBytes} bytes`);
  const text = await readTextUpTo(request, maxBytes);
  if (text.trim() === "") throw new BillingError("invalid_input", "The body is empty; send a JSON object");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BillingError("invalid_input", "The body is not valid JSON");
  }
}

async function readTextUpTo(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BillingError("payload_too_large", `The body must be at most ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new BillingError("invalid_input", "The body is not valid UTF-8");
  }
}

const NO_STORE = { "cache-control": "no-store" };

export function errorResponse(err: unknown): Response {
  const known = asBillingError(err);
  if (known) {
    if (known.status >= 500) logger.error({ code: known.code, err: errorLogFields(known) }, "api request failed");
    return Response.json(
      { success: false, error: known.message, ...(known.fieldErrors ? { fieldErrors: known.fieldErrors } : {}) },
      { status: known.status, headers: NO_STORE },
    );
  }
  logger.error({ err: errorLogFields(err) }, "api request failed");
  return Response.json({ success: false, error: "The request failed on the server; nothing was changed." }, { status: 500, headers: NO_STORE });
}

/** Runs a route handler and answers any error it throws with errorResponse. */
export function withApiErrors<A extends unknown[]>(handler: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await handler(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: NO_STORE });
}
