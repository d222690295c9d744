// Property: whatever a caller sends as mapping input (random, truncated, oversized, wrongly typed,
// unicode, injection-shaped), mapNumberToTenant either maps a valid number or refuses with a
// BillingError that names what was wrong, and a refusal writes nothing.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BillingError } from "@/lib/errors";
import { createTenant, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { mapNumberToTenant } from "./mapping";

const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.constantFrom("", " ", "'; drop table tenants; --", "<script>alert(1)</script>", "\u0000", "+1 (250) 555-1234", "PN" + "f".repeat(32), "+12505551234", "test-tenant-123", "🙂".repeat(40), "x".repeat(10_000)),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

describe("mapping input, attacked with arbitrary values", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    await createTenant(database().db, "test-tenant-123");
  });

  it("never throws anything but a BillingError naming a field, and refusals write nothing", async () => {
    const { db } = database();
    await fc.assert(
      fc.asyncProperty(
        fc.record({ tenantId: hostile, twilioNumberSid: hostile, phoneNumber: hostile, numberType: hostile, transfer: hostile }, { requiredKeys: [] }),
        async (input) => {
          const before = await snapshotTables(db);
          const outcome = await mapNumberToTenant(db, input as never, { actor: "property-test" }).then(
            (r) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e }),
          );
          if (outcome.ok) return; // a valid mapping: allowed
          expect(outcome.e).toBeInstanceOf(BillingError);
          const error = outcome.e as BillingError;
          expect(["invalid_input", "not_found", "conflict"]).toContain(error.code);
          expect(error.message.length).toBeGreaterThan(5);
          if (error.code === "invalid_input") expect(Object.keys(error.fieldErrors ?? {}).length).toBeGreaterThan(0);
          expect(await snapshotTables(db)).toEqual(before);
        },
      ),
      { numRuns: 60 },
    );
  });
});
