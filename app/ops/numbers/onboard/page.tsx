import type { Metadata } from "next";
import { getDb } from "@/db/client";
import { firstValues } from "@/components/data-table/url";
import { MapNumberForm } from "@/components/numbers/map-number-form";
import { requireOpsPage } from "@/lib/auth/session";
import { onboardPrefillOf } from "@/lib/ops/onboard-prefill";
import { listTenantChoices } from "@/lib/ops/tenants";

export const metadata: Metadata = { title: "Map a number" };

export default async function OnboardNumberPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireOpsPage();
  const prefill = onboardPrefillOf(firstValues(await searchParams));
  const tenants = await listTenantChoices(await getDb());
  return (
    <div className="flex max-w-xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Client number onboarding</h1>
      <MapNumberForm tenants={tenants} prefill={prefill} />
    </div>
  );
}
