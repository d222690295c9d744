// Counts shown beside the ops navigation: open items of the unmatched inbox.
import "server-only";
import { getDb } from "@/db/client";
import type { NavBadge } from "@/components/nav/nav-bar";
import { countOpenUnmatched } from "@/lib/billing/unmatched-resolution";

export async function opsNavBadges(): Promise<NavBadge[]> {
  const open = await countOpenUnmatched(await getDb());
  return [{ href: "/ops/unmatched", count: open, label: `${open} open unmatched events` }];
}
