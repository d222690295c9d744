import type { Metadata } from "next";
import { firstValues } from "@/components/data-table/url";
import { MapNumberForm } from "@/components/numbers/map-number-form";
import { requireOpsPage } from "@/lib/auth/session";
import { onboardPrefillOf } from "@/lib/ops/onboard-prefill";

export const metadata: Metadata = { title: "Map a number" };

export default async function OnboardNumberPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  // Prefilled from a link (reconciliation's "Map" on a number Twilio has and nobody is billed for).
  const prefill = onboardPrefillOf(firstValues(await searchParams));
  return (
    <div className="flex max-w-xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Client number onboarding</h1>
      <MapNumberForm prefill={prefill} />
    </div>
  );
}
