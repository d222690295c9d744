// Signing in over HTTP as a browser would (next-auth's CSRF token, then the credentials callback), and
// the users, tenants and keys the access matrix plays.
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { createUser } from "@/lib/auth/users";
import type { Db } from "@/db/client";
import { createTenant } from "@/lib/testing/db";

export interface Session {
  cookie: string;
  setCookie: string[];
}

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie();
}

function jar(setCookies: string[]): string {
  return setCookies.map((c) => c.split(";")[0]).join("; ");
}

/** Signs in with email + password; the session cookie header to send, and the Set-Cookie lines seen. */
export async function signInOverHttp(baseUrl: string, email: string, password: string): Promise<Session> {
  const csrfRes = await fetch(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const csrfCookies = cookiesOf(csrfRes);
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar(csrfCookies) },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }).toString(),
  });
  await res.arrayBuffer();
  const setCookie = cookiesOf(res);
  const session = setCookie.find((c) => /next-auth\.session-token=/.test(c));
  if (!session) throw new Error(`sign-in as ${email} failed (${res.status})`);
  return { cookie: jar([...csrfCookies, ...setCookie]), setCookie };
}

export const PLAYERS = {
  ops: { email: "ops@attack.test", password: "ops-attack-password", role: "ops" as const },
  tenantA: { email: "a@attack.test", password: "tenant-a-password", role: "tenant" as const, tenantId: "tenant-a" },
  tenantB: { email: "b@attack.test", password: "tenant-b-password", role: "tenant" as const, tenantId: "tenant-b" },
};

/** Tenants A and B, one user per role, an active API key and a revoked one. */
export async function seedPlayers(db: Db): Promise<{ key: string; revokedKey: string }> {
  await createTenant(db, "tenant-a");
  await createTenant(db, "tenant-b");
  for (const p of Object.values(PLAYERS)) await createUser(db, p);
  const key = (await createApiKey(db, { name: "attack-key" }, { actor: "attack" })).key;
  const revoked = await createApiKey(db, { name: "attack-revoked" }, { actor: "attack" });
  await revokeApiKey(db, { id: revoked.id }, { actor: "attack" });
  return { key, revokedKey: revoked.key };
}
