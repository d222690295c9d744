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
  { href: "/ops/api-keys", label: "API keys" },
];
