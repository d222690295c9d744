// The users, tenants and keys the access matrix plays; signing in over HTTP is in http-sign-in.ts.
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { createUser } from "@/lib/auth/users";
import type { Db } from "@/db/client";
import { createTenant } from "@/lib/testing/db";

export { signInOverHttp, type Session } from "./http-sign-in";

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
