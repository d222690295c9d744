// Property: whatever a caller sends as mapping input (random, truncated, oversized, wrongly typed,
// unicode, injection-shaped), mapNumberToTenant either maps exactly the number asked for (the active
// mapping row, its counter for the current period, its audit event) or refuses with a BillingError
// that names what was wrong, and a refusal writes nothing.
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { BillingError } from "@/lib/errors";
import { countRows, createTenant, snapshotTables, useTestDatabase } from "@/lib/testing/db";
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

// Values each field accepts, mixed into the hostile ones (two to one) so that about one input in eight
// is valid as a whole and gets mapped.
const validField = {
  tenantId: fc.constant("test-tenant-123"),
  twilioNumberSid: fc.stringMatching(/^PN[0-9a-f]{32}$/),
  phoneNumber: fc.integer({ min: 0, max: 9999 }).map((n) => `+1 (415) 555-${String(n).padStart(4, "0")}`),
  numberType: fc.constantFrom("voice", "sms", "both"),
  transfer: fc.boolean(),
};
const field = <K extends keyof typeof validField>(k: K) => fc.oneof({ arbitrary: validField[k], weight: 2 }, { arbitrary: hostile, weight: 1 });

describe("mapping input, attacked with arbitrary values", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    await createTenant(database().db, "test-tenant-123");
  });

  it("maps exactly the number asked for, or refuses with a BillingError naming a field and writes nothing", async () => {
    const { db } = database();
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { tenantId: field("tenantId"), twilioNumberSid: field("twilioNumberSid"), phoneNumber: field("phoneNumber"), numberType: field("numberType"), transfer: field("transfer") },
          { requiredKeys: [] },
        ),
        async (input) => {
          const before = await snapshotTables(db);
          const [{ last: lastEventBefore } = { last: 0 }] = await queryRows<{ last: number }>(db, sql`select coalesce(max(id), 0)::int as last from analytics_events`);
          const outcome = await mapNumberToTenant(db, input as never, { actor: "property-test" }).then(
            (r) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e }),
          );
          if (outcome.ok) {
            // Accepted: it was asked for the existing tenant, a PN SID and a number (compacted to E.164).
            accepted++;
            const asked = input as Record<string, unknown>;
            expect(asked.tenantId).toBe("test-tenant-123");
            expect(asked.twilioNumberSid).toMatch(/^PN[0-9A-Za-z]{32}$/);
            const phoneNumber = String(asked.phoneNumber).trim().replace(/[\s().-]/g, "");
            expect(phoneNumber).toMatch(/^\+[1-9]\d{6,14}$/);
            const [row] = await queryRows<Record<string, unknown>>(
              db,
              sql`select tenant_id, twilio_number_sid, phone_number, number_type, deprovisioned_at from tenant_phone_mappings where id = ${outcome.r.mapping.id}::uuid`,
            );
            expect(row).toEqual({
              tenant_id: "test-tenant-123",
              twilio_number_sid: asked.twilioNumberSid,
              phone_number: phoneNumber,
              number_type: asked.numberType ?? "both",
              deprovisioned_at: null,
            });
            // The tenant bills in UTC: its current period starts on the first of this month.
            const current = sql`phone_mapping_id = ${outcome.r.mapping.id}::uuid and billing_period_start = date_trunc('month', now() at time zone 'UTC')::date`;
            expect(await countRows(db, "tenant_usage_counters", current)).toBe(1);
            const events = await queryRows<{ event_type: string; mapping_id: string }>(
              db,
              sql`select event_type, properties->>'mapping_id' as mapping_id from analytics_events where id > ${lastEventBefore} order by id`,
            );
            expect(events).toEqual([{ event_type: outcome.r.transferredFrom ? "number_transferred" : "number_mapped", mapping_id: outcome.r.mapping.id }]);
            return;
          }
          expect(outcome.e).toBeInstanceOf(BillingError);
          const error = outcome.e as BillingError;
          expect(["invalid_input", "not_found", "conflict"]).toContain(error.code);
          expect(error.message.length).toBeGreaterThan(5);
          if (error.code === "invalid_input") expect(Object.keys(error.fieldErrors ?? {}).length).toBeGreaterThan(0);
          expect(await snapshotTables(db)).toEqual(before);
        },
      ),
      { numRuns: 80 },
    );
    expect(accepted).toBeGreaterThan(0); // the accepting side was exercised too
  });
});
