import type { Metadata } from "next";
import { MapNumberForm } from "@/components/numbers/map-number-form";
import { requireOpsPage } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Map a number" };

export default async function OnboardNumberPage() {
  await requireOpsPage();
  return (
    <div className="flex max-w-xl flex-col gap-6">
      <h1 className="text-2xl font-semibold">Client number onboarding</h1>
      <MapNumberForm />
    </div>
  );
}
