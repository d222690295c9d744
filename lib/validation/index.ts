// Shared zod schemas for every boundary (forms, server actions, the JSON API, webhooks, scripts).
import { isValidPhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import { BillingError } from "@/lib/errors";

export const E164_EXAMPLE = "+12505551234";

/** A phone number in E.164 form (+ and country code), checked with libphonenumber-js; output normalised. */
export const e164Schema = z
  .string({ error: "Phone number is required" })
  .trim()
  .min(1, "Phone number is required")
  .max(32, "Phone number is too long")
  .transform((value, ctx) => {
    const compact = value.replace(/[\s().-]/g, "");
    if (!/^\+[1-9]\d{6,14}$/.test(compact)) {
      ctx.addIssue({ code: "custom", message: `Phone number must be in E.164 form, like ${E164_EXAMPLE}` });
      return z.NEVER;
    }
    const normalised = validE164(compact);
    if (normalised === null) {
      ctx.addIssue({ code: "custom", message: `${compact} is not a valid phone number` });
      return z.NEVER;
    }
    return normalised;
  });

// libphonenumber-js parses a number against its metadata in ~15 µs; every webhook checks one or two of
// the same few thousand numbers. A bounded memo of that pure check (cleared when full).
const E164_MEMO_LIMIT = 10_000;
const e164Memo = new Map<string, string | null>();

function validE164(compact: string): string | null {
  let normalised = e164Memo.get(compact);
  if (normalised === undefined) {
    const parsed = parsePhoneNumberFromString(compact);
    normalised = parsed && isValidPhoneNumber(compact) ? (parsed.number as string) : null;
    if (e164Memo.size >= E164_MEMO_LIMIT) e164Memo.clear();
    e164Memo.set(compact, normalised);
  }
  return normalised;
}

const sid = (prefix: string, label: string) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `${label} must be ${prefix} followed by 32 hexadecimal characters`);

/**
 * A phone number's SID: PN and 32 letters or digits. Twilio's own are hexadecimal, but the original
 * design's checklist maps "PNxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; the prefix and the length still catch a
 * typo, and whether Twilio knows the SID is what reconciliation's inventory check reports.
 */
export const twilioNumberSidSchema = z
  .string({ error: "Twilio Number SID is required" })
  .trim()
  .regex(/^PN[0-9A-Za-z]{32}$/, "Twilio Number SID must be PN followed by 32 letters or digits");
export const callSidSchema = sid("CA", "CallSid");
export const accountSidSchema = sid("AC", "AccountSid");
export const messageSidSchema = z
  .string({ error: "MessageSid is required" })
  .trim()
  .regex(/^(SM|MM)[0-9a-fA-F]{32}$/, "MessageSid must be SM or MM followed by 32 hexadecimal characters");

/**
 * PostgreSQL text cannot hold NUL (U+0000): a statement carrying one fails as a whole. Free-text fields
 * refuse it at the boundary, with a message naming the field: `.refine(...withoutNul("Name"))`.
 */
export function withoutNul(label: string) {
  return [(value: string) => !value.includes("\u0000"), { error: `${label} must not contain NUL characters (U+0000)` }] as const;
}

export const tenantIdSchema = z
  .string({ error: "Tenant ID is required" })
  .trim()
  .min(1, "Tenant ID is required")
  .max(64, "Tenant ID is at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Tenant ID may hold letters, digits, '.', '_' and '-' and must start with a letter or digit");

export function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .trim()
  .min(1, "Billing time zone is required")
  .refine(isKnownTimeZone, { message: "Billing time zone must be an IANA name such as UTC or America/Vancouver" });

/** A billing period as YYYY-MM. */
export const periodSchema = z
  .string({ error: "Period is required" })
  .trim()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Period must be a month written YYYY-MM, such as 2025-01");

/** Field errors keyed by path, as forms and the API return them. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** One sentence naming every field that was wrong. */
export function describeFieldErrors(fieldErrors: Record<string, string[]>): string {
  return Object.values(fieldErrors)
    .map((messages) => messages[0])
    .join("; ");
}

/** Parses input with a schema or throws an invalid_input BillingError naming every wrong field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors = fieldErrorsOf(result.error);
  throw new BillingError("invalid_input", describeFieldErrors(fieldErrors), { fieldErrors });
}
