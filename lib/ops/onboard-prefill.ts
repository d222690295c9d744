// The onboarding form prefilled from a link (the reconciliation page's "Map" on a number Twilio has and
// nobody is billed for): ?sid=PN…&number=+1…&type=voice|sms|both. Values are only a starting point: the
// form validates them as it validates typed input; anything unusable is left empty.
import { z } from "zod";
import { numberTypes } from "@/db/schema";

const text = (max: number) => z.string().trim().max(max).catch("");

export const onboardPrefillSchema = z.object({
  sid: text(40).default(""),
  number: text(32).default(""),
  type: z.enum(numberTypes).catch("both").default("both"),
});

export type OnboardPrefill = z.output<typeof onboardPrefillSchema>;

export function onboardPrefillOf(params: Record<string, string | undefined>): OnboardPrefill {
  return onboardPrefillSchema.parse(params);
}
