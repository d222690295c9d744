import Link from "next/link";
import type { NavItem } from "./ops-nav-items";
import { SignOutButton } from "./sign-out-button";

export interface NavBadge {
  href: string;
  count: number;
  label: string;
}

/** The console's top bar: the app name, the screens, who is signed in, sign-out. */
export function NavBar({ items, email, badges = [] }: { items: NavItem[]; email: string; badges?: NavBadge[] }) {
  return (
    <header className="bg-slate-900 text-white print:hidden">
      <nav aria-label="Main" className="mx-auto flex max-w-7xl flex-wrap items-center gap-1 px-4 py-2">
        <Link href="/" className="mr-4 font-semibold">
          billing-map
        </Link>
        {items.map((item) => {
          const badge = badges.find((b) => b.href === item.href);
          return (
            <Link key={item.href} href={item.href} className="rounded px-2 py-1 text-sm hover:bg-slate-700">
              {item.label}
              {badge && badge.count > 0 && (
                <span aria-label={badge.label} className="ml-1 rounded-full bg-amber-500 px-1.5 text-xs font-semibold text-slate-900">
                  {badge.count}
                </span>
              )}
            </Link>
          );
        })}
        <span className="ml-auto text-sm text-slate-300">{email}</span>
        <SignOutButton />
      </nav>
    </header>
  );
}
