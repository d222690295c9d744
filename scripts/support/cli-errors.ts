import { asBillingError, type BillingError } from "@/lib/errors";

export { asBillingError };

/** ": email: …; password: …" for a refused input, else "". */
export function describeFieldErrorsOf(err: BillingError): string {
  if (!err.fieldErrors) return "";
  return `: ${Object.entries(err.fieldErrors)
    .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
    .join("; ")}`;
}
