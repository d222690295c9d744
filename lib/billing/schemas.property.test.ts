// Property: the mapping schemas the ops form, its server action and the JSON API share accept only what
// they promise (a tenant id of the allowed shape, a PN SID, a valid E.164 number, a known number type, a
// real boolean) and refuse everything else with a message under the name of each wrong field. Whatever
// a client sends: random, truncated, oversized, wrongly typed, unicode, injection-shaped, or a prototype
// key. No input makes them throw.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
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

// Values each field accepts, mixed into the hostile ones so that some whole inputs are valid.
const validField = {
  tenantId: fc.constantFrom("test-tenant-123", "acme-dental", "a"),
  twilioNumberSid: fc.stringMatching(/^PN[0-9a-f]{32}$/),
  phoneNumber: fc.constantFrom("+12505551234", "+1 (250) 555-1234", "+442071838750"),
  numberType: fc.constantFrom("voice", "sms", "both"),
  transfer: fc.boolean(),
};
const field = <K extends keyof typeof validField>(k: K) => fc.oneof(validField[k], hostile);

/**
 * parseInput agrees with the schema: the same data when the schema accepts the input; otherwise an
 * invalid_input BillingError naming only fields of the schema. Returns whether it accepted.
 */
function expectParseInputAgrees(schema: z.ZodType, raw: unknown, allowedFields: string[]): boolean {
  const expected = schema.safeParse(raw);
  const outcome = (() => {
    try {
      return { accepted: true as const, data: parseInput(schema, raw) };
    } catch (err) {
      return { accepted: false as const, err };
    }
  })();
  expect(outcome.accepted).toBe(expected.success);
  if (outcome.accepted) {
    expect(outcome.data).toEqual(expected.data);
    return true;
  }
  expect(outcome.err).toBeInstanceOf(BillingError);
  const error = outcome.err as BillingError;
  expect(error.code).toBe("invalid_input");
  const fields = Object.keys(error.fieldErrors ?? {});
  expect(fields.length).toBeGreaterThan(0);
  for (const f of fields) expect(allowedFields).toContain(f);
  expect(error.message.length).toBeGreaterThan(5);
  return false;
}

describe("mapping schemas, attacked with arbitrary values", () => {
  it("the form/action schema: what it accepts is well-formed; what it refuses names each wrong field", () => {
    const input = fc.record(
      { tenantId: field("tenantId"), twilioNumberSid: field("twilioNumberSid"), phoneNumber: field("phoneNumber"), numberType: field("numberType"), transfer: field("transfer") },
      { requiredKeys: [] },
    );
    let accepted = 0;
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
        if (expectParseInputAgrees(mapNumberSchema, raw, ["tenantId", "twilioNumberSid", "phoneNumber", "numberType", "transfer"])) accepted++;
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(0); // the accepting side was exercised too
  });

  it("the JSON API schema: snake_case in, the same rules, refusals under the API's own field names", () => {
    const input = fc.record(
      { tenant_id: field("tenantId"), twilio_number_sid: field("twilioNumberSid"), phone_number: field("phoneNumber"), number_type: field("numberType"), transfer: field("transfer") },
      { requiredKeys: [] },
    );
    const anyBody = fc.oneof(input, hostile, fc.dictionary(fc.constantFrom("__proto__", "constructor", "tenant_id", "toString"), hostile));
    let accepted = 0;
    fc.assert(
      fc.property(anyBody, (raw) => {
        const result = mapNumberApiSchema.safeParse(raw);
        if (result.success) {
          expect(result.data.tenantId).toMatch(TENANT_ID);
          expect(result.data.twilioNumberSid).toMatch(PN_SID);
          expect(result.data.phoneNumber).toMatch(E164);
        }
        if (expectParseInputAgrees(mapNumberApiSchema, raw, ["tenant_id", "twilio_number_sid", "phone_number", "number_type", "transfer", "_"])) accepted++;
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it("the deprovision schema accepts only a valid E.164 number", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.record({ phoneNumber: field("phoneNumber") }, { requiredKeys: [] }), (raw) => {
        const result = deprovisionSchema.safeParse(raw);
        if (result.success) expect(result.data.phoneNumber).toMatch(E164);
        if (expectParseInputAgrees(deprovisionSchema, raw, ["phoneNumber", "_"])) accepted++;
      }),
      { numRuns: 300 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
