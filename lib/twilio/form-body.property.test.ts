// Property: readTwilioForm reads any body (random bytes, truncated or malformed escapes, unicode,
// injection-shaped text) without throwing anything but a named BillingError: 415 for a content type that
// is not a form, 413 over the limit whether or not Content-Length declares it, and otherwise exactly the
// parameters that were encoded, repeated ones kept in order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BillingError } from "@/lib/errors";
import { readTwilioForm } from "./form-body";

const FORM = "application/x-www-form-urlencoded";

function post(body: BodyInit | null, contentType: string | null, headers: Record<string, string> = {}): Request {
  return new Request("http://127.0.0.1/api/twilio/voice/status", {
    method: "POST",
    headers: { ...(contentType === null ? {} : { "content-type": contentType }), ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

async function outcomeOf(request: Request, limit?: number): Promise<{ ok: true; params: Record<string, string | string[]> } | { ok: false; error: BillingError }> {
  try {
    return { ok: true, params: (await readTwilioForm(request, limit)).params };
  } catch (err) {
    expect(err).toBeInstanceOf(BillingError);
    return { ok: false, error: err as BillingError };
  }
}

/** A body streamed in chunks, without a Content-Length, as a chunked upload arrives. */
function chunked(bytes: Uint8Array, chunkSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

// Names of Object.prototype members: a form parameter may be called anything.
const PROTOTYPE_NAMES = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "__defineGetter__"];

const text = fc.oneof(
  fc.string(),
  fc.constantFrom(...PROTOTYPE_NAMES),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.constantFrom("", "=", "&&&", "a=1&a=2", "%", "%E0%A4%A", "%ZZ", "+", "%2B", "'; drop table tenants; --", "<script>", "\u0000", "🙂"),
);

describe("readTwilioForm, attacked with arbitrary bodies", () => {
  it("any bytes in a form body are read without an unnamed error (malformed escapes included)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        const outcome = await outcomeOf(post(bytes, FORM));
        expect(outcome.ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("encoded parameters come back exactly, repeated ones in order, unicode included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, text), { maxLength: 20 }), async (pairs) => {
        const body = new URLSearchParams(pairs.map(([k, v]) => [k.toWellFormed(), v.toWellFormed()])).toString();
        const outcome = await outcomeOf(post(body, `${FORM}; charset=utf-8`));
        if (!outcome.ok) throw outcome.error;
        const expected = new Map<string, string[]>();
        for (const [k, v] of new URLSearchParams(body)) expected.set(k, [...(expected.get(k) ?? []), v]);
        for (const [k, values] of expected) {
          expect(Object.getOwnPropertyDescriptor(outcome.params, k)?.value).toEqual(values.length === 1 ? values[0] : values);
        }
        expect(Object.keys(outcome.params).sort()).toEqual([...expected.keys()].sort());
      }),
      { numRuns: 200 },
    );
  });

  it("a truncated body is read as the parameters it still holds, never an error", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(text, text, { maxKeys: 8 }), fc.nat(), async (params, cut) => {
        const body = new URLSearchParams(Object.entries(params).map(([k, v]) => [k.toWellFormed(), v.toWellFormed()])).toString();
        const truncated = body.slice(0, body.length === 0 ? 0 : cut % body.length);
        expect((await outcomeOf(post(truncated, FORM))).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("any content type but a form is refused with 415 naming the expected type, before the body is read", async () => {
    const otherTypes = fc.oneof(
      fc.constantFrom(null, "", "application/json", "text/plain", "multipart/form-data; boundary=x", "application/xml", "application/x-www-form-urlencodedX".slice(0, 20), "text/html; application/x-www-form-urlencoded"),
      fc.string({ maxLength: 40 }).filter((s) => !s.toLowerCase().startsWith(FORM)),
    );
    await fc.assert(
      fc.asyncProperty(otherTypes, fc.string({ maxLength: 200 }), async (contentType, body) => {
        const type = contentType?.replace(/[\r\n\0]/g, "") ?? null;
        let request: Request;
        try {
          request = post(body, type);
        } catch {
          return; // not a header value a client could send
        }
        if ((request.headers.get("content-type") ?? "").toLowerCase().startsWith(FORM)) return; // the runtime defaulted it
        const outcome = await outcomeOf(request);
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) {
          expect(outcome.error.code).toBe("unsupported_media_type");
          expect(outcome.error.message).toContain(FORM);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("a body over the limit is refused with 413 naming the limit, declared or streamed without a length", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4_096 }), fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 1_000 }), async (limit, over, chunkSize) => {
        const bytes = new Uint8Array(limit + over).fill(0x61);
        const declared = await outcomeOf(post(bytes, FORM), limit);
        const streamed = await outcomeOf(post(chunked(bytes, chunkSize), FORM), limit);
        const lying = await outcomeOf(post(chunked(bytes, chunkSize), FORM, { "content-length": "1" }), limit);
        for (const outcome of [declared, streamed, lying]) {
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) {
            expect(outcome.error.code).toBe("payload_too_large");
            expect(outcome.error.message).toMatch(/larger than \d+ KiB/);
          }
        }
        // At the limit exactly, the body is read.
        expect((await outcomeOf(post(new Uint8Array(limit).fill(0x61), FORM), limit)).ok).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
