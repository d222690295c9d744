// API keys for machine callers (the mapping API, invoicing exports). A key is shown once when created;
// only its sha256 is stored, so a database leak does not leak usable keys. Revoked keys stop working at
// once. Creating and revoking are recorded with who did it.
import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { analyticsEvents, apiKeys } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { createApiKeySchema, revokeApiKeySchema } from "./api-key-schemas";

export { createApiKeySchema, revokeApiKeySchema };

const KEY_PREFIX = "bm_";
const PREFIX_SHOWN = 10;

export interface ApiKeySummary {
  id: string;
  name: string;
  keyPrefix: string;
  createdBy: string;
  createdAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
}

function hashOf(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export async function createApiKey(
  db: Db,
  input: z.input<typeof createApiKeySchema>,
  ctx: { actor: string },
): Promise<{ id: string; name: string; key: string; keyPrefix: string }> {
  const { name } = parseInput(createApiKeySchema, input);
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const keyPrefix = key.slice(0, PREFIX_SHOWN);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ name, keyHash: hashOf(key), keyPrefix, createdBy: ctx.actor })
      .returning({ id: apiKeys.id });
    await tx.insert(analyticsEvents).values({
      eventType: "api_key_created",
      actor: ctx.actor,
      properties: { api_key_id: row!.id, name, key_prefix: keyPrefix },
    });
    return { id: row!.id, name, key, keyPrefix };
  });
}

export async function revokeApiKey(db: Db, input: z.input<typeof revokeApiKeySchema>, ctx: { actor: string }): Promise<ApiKeySummary> {
  const { id } = parseInput(revokeApiKeySchema, input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()`, revokedBy: ctx.actor })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    if (!row) {
      const [existing] = await tx.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, id));
      if (!existing) throw new BillingError("not_found", "Unknown API key");
      throw new BillingError("conflict", "This API key was already revoked");
    }
    await tx.insert(analyticsEvents).values({
      eventType: "api_key_revoked",
      actor: ctx.actor,
      properties: { api_key_id: id, name: row.name, key_prefix: row.keyPrefix },
    });
    return summaryOf(row);
  });
}

export async function listApiKeys(db: Db): Promise<ApiKeySummary[]> {
  const rows = await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).limit(500);
  return rows.map(summaryOf);
}

function summaryOf(row: typeof apiKeys.$inferSelect): ApiKeySummary {
  const { keyHash: _hash, ...summary } = row;
  return summary;
}

export const MISSING_KEY = "An API key is required: send it as Authorization: Bearer <api key>";
export const INVALID_KEY = "The API key is not valid or has been revoked";

/** The bearer token of an Authorization header, or null when there is none. */
export function bearerTokenOf(authorization: string | null): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? "");
  return match ? match[1]! : null;
}

/** The active key an `Authorization: Bearer …` header names; 401 otherwise. */
export async function authenticateApiKey(db: Db, authorization: string | null): Promise<{ id: string; name: string }> {
  const token = bearerTokenOf(authorization);
  if (!token) throw new BillingError("unauthorized", MISSING_KEY);
  if (!token.startsWith(KEY_PREFIX) || token.length > 200) throw new BillingError("unauthorized", INVALID_KEY);
  const hash = hashOf(token);
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, keyHash: apiKeys.keyHash, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hash));
  if (!row || row.revokedAt || !timingSafeEqual(Buffer.from(row.keyHash), Buffer.from(hash))) {
    throw new BillingError("unauthorized", INVALID_KEY);
  }
  // Last use, at most once a minute per key: no write (and no row lock) on every request.
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`))));
  return { id: row.id, name: row.name };
}
