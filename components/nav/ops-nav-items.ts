// The ops console's navigation, in order. Each screen adds itself here.
export interface NavItem {
  href: string;
  label: string;
}

export const OPS_NAV_ITEMS: NavItem[] = [
  { href: "/ops", label: "Dashboard" },
  { href: "/ops/numbers", label: "Numbers" },
  { href: "/ops/numbers/onboard", label: "Map a number" },
  { href: "/ops/tenants", label: "Tenants" },
  { href: "/ops/usage", label: "Usage" },
  { href: "/ops/logs", label: "Audit log" },
  { href: "/ops/unmatched", label: "Unmatched" },
  { href: "/ops/reconciliation", label: "Reconciliation" },
  { href: "/ops/api-keys", label: "API keys" },
];

/** The tenant portal's navigation. */
export const TENANT_NAV_ITEMS: NavItem[] = [
  { href: "/usage", label: "Usage" },
  { href: "/usage/logs", label: "Audit log" },
];
