// Property: whatever JSON (or not-JSON) a key holder posts to the mapping API, the answer is 200 or a
// 4xx whose error names what was wrong, never a 500, and a refusal writes nothing.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { useDatabaseForTests } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { createTenant, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { POST } from "./route";

const field = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("", "test-tenant-123", "+12505551234", "PN" + "a".repeat(32), "'; drop table tenants; --", "\u0000", "both", "fax", "x".repeat(5000)),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
);

const body = fc.oneof(
  fc.record({ tenant_id: field, twilio_number_sid: field, phone_number: field, number_type: field, transfer: field }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.json({ maxDepth: 2 }),
  fc.string({ maxLength: 200 }),
  fc.constantFrom("", "{", "null", "[]", '{"__proto__":{"admin":true}}', '{"tenant_id":"test-tenant-123"'),
);

describe("POST /api/ops/map-number-to-tenant, attacked with arbitrary bodies", () => {
  const database = useTestDatabase();
  let key = "";

  beforeAll(async () => {
    const { db } = database();
    useDatabaseForTests(database());
    await createTenant(db, "test-tenant-123");
    key = (await createApiKey(db, { name: "property" }, { actor: "test" })).key;
  });

  it("answers 200 or a named 4xx, never a 500, and a refusal writes nothing", async () => {
    const { db } = database();
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain"), async (text, type) => {
        // api_keys changes by design (the key's last use, at most once a minute): compare the rest.
        const tables = async () => {
          const { api_keys: _lastUse, ...rest } = await snapshotTables(db);
          return rest;
        };
        const before = await tables();
        const res = await POST(
          new Request("http://127.0.0.1/api/ops/map-number-to-tenant", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": type }, body: text }),
        );
        const json = (await res.json()) as { success: boolean; error?: string };
        expect(res.status).toBeLessThan(500);
        if (res.status !== 200) {
          expect(json.success).toBe(false);
          expect(json.error).toMatch(/\w/);
          expect(await tables()).toEqual(before);
        }
      }),
      { numRuns: 150 },
    );
  });
});
