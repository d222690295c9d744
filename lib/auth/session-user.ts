// Who a signed-in person is, as the session carries it.
export type UserRole = "ops" | "tenant";

export interface SessionUser {
  id: string;
  email: string;
  role: UserRole;
  /** The one tenant a tenant user may see; null for ops. */
  tenantId: string | null;
}

/** How the audit trail names a person. */
export function actorOf(user: Pick<SessionUser, "email">): string {
  return `user:${user.email}`;
}
