// The signed-in user of this request, and the guards pages and actions use. The session cookie is
// checked against the database on every request, so a deleted user or a changed role takes effect at once.
import "server-only";
import { cache } from "react";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { findUserById } from "./users";
import { authOptions } from "./options";
import { actorOf, type SessionUser } from "./session-user";

export type { SessionUser } from "./session-user";
export type TenantSessionUser = SessionUser & { role: "tenant"; tenantId: string };

export const getSessionUser = cache(async (): Promise<SessionUser | null> => {
  const session = await getServerSession(authOptions);
  const id = session?.user?.id;
  if (!id) return null;
  const user = await findUserById(await getDb(), id);
  if (!user) return null;
  return user;
});

/** For ops pages and layouts: anonymous people go to sign-in, tenant users get the 403 page. */
export async function requireOpsPage(): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  if (user.role !== "ops") forbidden();
  return user;
}

/** For the tenant portal: anonymous people go to sign-in, ops staff to their console. */
export async function requireTenantPage(): Promise<TenantSessionUser> {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  if (user.role !== "tenant" || !user.tenantId) redirect("/ops");
  return user as TenantSessionUser;
}

/** For server actions: the ops actor ("user:<email>"), or 401/403. */
export async function requireOpsActor(): Promise<string> {
  const user = await getSessionUser();
  if (!user) throw new BillingError("unauthorized", "Your session has ended. Sign in again.");
  if (user.role !== "ops") throw new BillingError("forbidden", "Only ops staff can do this");
  return actorOf(user);
}

/** For tenant server actions: the tenant user's actor and tenant, or 401/403. */
export async function requireTenantActor(): Promise<{ actor: string; tenantId: string }> {
  const user = await getSessionUser();
  if (!user) throw new BillingError("unauthorized", "Your session has ended. Sign in again.");
  if (user.role !== "tenant" || !user.tenantId) throw new BillingError("forbidden", "Only tenant users can do this");
  return { actor: actorOf(user), tenantId: user.tenantId };
}
