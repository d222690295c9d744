// Counts shown beside the ops navigation (e.g. open unmatched events). Screens that want a badge add it here.
import "server-only";
import type { NavBadge } from "@/components/nav/nav-bar";

export async function opsNavBadges(): Promise<NavBadge[]> {
  return [];
}
