// API keys: shown once, stored as a hash, usable until revoked; creating and revoking are recorded.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { analyticsEvents, apiKeys } from "@/db/schema";
import { snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { authenticateApiKey, bearerTokenOf, createApiKey, INVALID_KEY, listApiKeys, MISSING_KEY, revokeApiKey } from "./api-keys";
import { refusal } from "@/lib/testing/refusal";

describe("API keys", () => {
  const database = useTestDatabase();
  const ctx = { actor: "user:ops@example.com" };

  it("creates a key, stores only its sha256, authenticates it, and records who created it", async () => {
    const { db } = database();
    const created = await createApiKey(db, { name: "invoicing" }, ctx);
    expect(created.key).toMatch(/^bm_[A-Za-z0-9_-]{43}$/);
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, created.id));
    expect(row!.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.key);
    expect(await authenticateApiKey(db, `Bearer ${created.key}`)).toEqual({ id: created.id, name: "invoicing" });
    const [event] = await db.select().from(analyticsEvents).where(eq(analyticsEvents.eventType, "api_key_created"));
    expect(event).toMatchObject({ actor: "user:ops@example.com", properties: { api_key_id: created.id, name: "invoicing" } });
    expect(JSON.stringify(await listApiKeys(db))).not.toContain(created.key);
  });

  it("refuses missing, malformed, unknown and revoked keys with 401", async () => {
    const { db } = database();
    const created = await createApiKey(db, { name: "to-revoke" }, ctx);
    expect((await refusal(() => authenticateApiKey(db, null))).message).toBe(MISSING_KEY);
    expect((await refusal(() => authenticateApiKey(db, `Basic ${created.key}`))).message).toBe(MISSING_KEY);
    expect((await refusal(() => authenticateApiKey(db, "Bearer bm_notarealkey"))).message).toBe(INVALID_KEY);
    expect((await refusal(() => authenticateApiKey(db, `Bearer ${created.key}x`))).code).toBe("unauthorized");

    const revoked = await revokeApiKey(db, { id: created.id }, ctx);
    expect(revoked.revokedBy).toBe("user:ops@example.com");
    const err = await refusal(() => authenticateApiKey(db, `Bearer ${created.key}`));
    expect([err.code, err.message]).toEqual(["unauthorized", INVALID_KEY]);
    const [event] = await db.select().from(analyticsEvents).where(eq(analyticsEvents.eventType, "api_key_revoked"));
    expect(event).toMatchObject({ actor: "user:ops@example.com", properties: { api_key_id: created.id } });
  });

  it("refuses a bad name, an unknown id and a second revoke, writing nothing", async () => {
    const { db } = database();
    const created = await createApiKey(db, { name: "twice" }, ctx);
    await revokeApiKey(db, { id: created.id }, ctx);
    const before = await snapshotTables(db);
    const badName = await refusal(() => createApiKey(db, { name: "  " }, ctx));
    expect(badName.code).toBe("invalid_input");
    expect(badName.fieldErrors).toEqual({ name: ["Name is required"] });
    expect((await refusal(() => revokeApiKey(db, { id: "7d444840-9dc0-11d1-b245-5ffdce74fad2" }, ctx))).code).toBe("not_found");
    expect((await refusal(() => revokeApiKey(db, { id: "not-a-uuid" }, ctx))).code).toBe("invalid_input");
    expect((await refusal(() => revokeApiKey(db, { id: created.id }, ctx))).code).toBe("conflict");
    expect(await snapshotTables(db)).toEqual(before);
  });

  it("reads bearer tokens strictly", () => {
    expect(bearerTokenOf("Bearer abc")).toBe("abc");
    expect(bearerTokenOf("bearer   abc ")).toBe("abc");
    expect(bearerTokenOf("Bearer")).toBeNull();
    expect(bearerTokenOf("Bearer a b")).toBeNull();
    expect(bearerTokenOf(null)).toBeNull();
  });
});
