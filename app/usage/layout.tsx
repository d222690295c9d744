import { NavBar } from "@/components/nav/nav-bar";
import { TENANT_NAV_ITEMS } from "@/components/nav/ops-nav-items";
import { requireTenantPage } from "@/lib/auth/session";

export default async function TenantLayout({ children }: { children: React.ReactNode }) {
  const user = await requireTenantPage();
  return (
    <>
      <NavBar items={TENANT_NAV_ITEMS} email={`${user.email} · ${user.tenantId}`} />
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </>
  );
}
