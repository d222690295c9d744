import { Toaster } from "sonner";
import { NavBar } from "@/components/nav/nav-bar";
import { OPS_NAV_ITEMS } from "@/components/nav/ops-nav-items";
import { requireOpsPage } from "@/lib/auth/session";
import { opsNavBadges } from "@/lib/ops/nav-badges";

export default async function OpsLayout({ children }: { children: React.ReactNode }) {
  const user = await requireOpsPage();
  const badges = await opsNavBadges();
  return (
    <>
      <NavBar items={OPS_NAV_ITEMS} email={user.email} badges={badges} />
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      <Toaster richColors position="top-right" />
    </>
  );
}
