// Property: the mapping schemas the ops form, its server action and the JSON API share accept only what
// they promise (a tenant id of the allowed shape, a PN SID, a valid E.164 number, a known number type, a
// real boolean) and refuse everything else with a message under the name of each wrong field. Whatever
// a client sends: random, truncated, oversized, wrongly typed, unicode, injection-shaped, or a prototype
// key. No input makes them throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fieldErrorsOf, parseInput } from "@/lib/validation";
import { BillingError } from "@/lib/errors";
import { deprovisionSchema, mapNumberApiSchema, mapNumberSchema } from "./schemas";

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.constantFrom(
    "",
    " ",
    "test-tenant-123",
    "acme-dental",
    "-starts-with-dash",
    "a".repeat(65),
    "'; drop table tenants; --",
    "<img src=x onerror=alert(1)>",
    "\u0000",
    "\u202e321-tnanet",
    "PN" + "a".repeat(32),
    "PN" + "g".repeat(32),
    "+12505551234",
    "+1 (250) 555-1234",
    "+999",
    "١٢٥٠٥٥٥١٢٣٤",
    "voice",
    "sms",
    "both",
    "VOICE",
    "true",
    "x".repeat(100_000),
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PN_SID = /^PN[0-9A-Za-z]{32}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

function expectNamedRefusal(run: () => unknown, allowedFields: string[]): void {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(BillingError);
    const error = err as BillingError;
    expect(error.code).toBe("invalid_input");
    const fields = Object.keys(error.fieldErrors ?? {});
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect(allowedFields).toContain(field);
    expect(error.message.length).toBeGreaterThan(5);
  }
}

describe("mapping schemas, attacked with arbitrary values", () => {
  it("the form/action schema: what it accepts is well-formed; what it refuses names each wrong field", () => {
    const input = fc.record({ tenantId: hostile, twilioNumberSid: hostile, phoneNumber: hostile, numberType: hostile, transfer: hostile }, { requiredKeys: [] });
    fc.assert(
      fc.property(input, (raw) => {
        const result = mapNumberSchema.safeParse(raw);
        if (result.success) {
          expect(result.data.tenantId).toMatch(TENANT_ID);
          expect(result.data.twilioNumberSid).toMatch(PN_SID);
          expect(result.data.phoneNumber).toMatch(E164);
          expect(["voice", "sms", "both"]).toContain(result.data.numberType);
          expect(typeof result.data.transfer).toBe("boolean");
        } else {
          expect(Object.keys(fieldErrorsOf(result.error)).every((f) => ["tenantId", "twilioNumberSid", "phoneNumber", "numberType", "transfer"].includes(f))).toBe(true);
        }
        expectNamedRefusal(() => parseInput(mapNumberSchema, raw), ["tenantId", "twilioNumberSid", "phoneNumber", "numberType", "transfer"]);
      }),
      { numRuns: 500 },
    );
  });

  it("the JSON API schema: snake_case in, the same rules, refusals under the API's own field names", () => {
    const input = fc.record({ tenant_id: hostile, twilio_number_sid: hostile, phone_number: hostile, number_type: hostile, transfer: hostile }, { requiredKeys: [] });
    const anyBody = fc.oneof(input, hostile, fc.dictionary(fc.constantFrom("__proto__", "constructor", "tenant_id", "toString"), hostile));
    fc.assert(
      fc.property(anyBody, (raw) => {
        const result = mapNumberApiSchema.safeParse(raw);
        if (result.success) {
          expect(result.data.tenantId).toMatch(TENANT_ID);
          expect(result.data.twilioNumberSid).toMatch(PN_SID);
          expect(result.data.phoneNumber).toMatch(E164);
        }
        expectNamedRefusal(() => parseInput(mapNumberApiSchema, raw), ["tenant_id", "twilio_number_sid", "phone_number", "number_type", "transfer", "_"]);
      }),
      { numRuns: 500 },
    );
  });

  it("the deprovision schema accepts only a valid E.164 number", () => {
    fc.assert(
      fc.property(fc.record({ phoneNumber: hostile }, { requiredKeys: [] }), (raw) => {
        const result = deprovisionSchema.safeParse(raw);
        if (result.success) expect(result.data.phoneNumber).toMatch(E164);
        expectNamedRefusal(() => parseInput(deprovisionSchema, raw), ["phoneNumber", "_"]);
      }),
      { numRuns: 300 },
    );
  });
});
