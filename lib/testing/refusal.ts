// The BillingError a call is refused with; fails the test when it resolves or throws anything else.
import { expect } from "vitest";
import { BillingError } from "@/lib/errors";

export async function refusal(run: () => Promise<unknown>): Promise<BillingError> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(BillingError);
  return error as BillingError;
}
