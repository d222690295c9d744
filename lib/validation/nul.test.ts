// PostgreSQL text cannot hold NUL (U+0000). Every free-text field refuses it at its boundary with a
// message naming the field, and changes nothing; a NUL that reaches the database anyway is a 400
// (invalid_input), never a 500.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { postUsageAdjustment } from "@/lib/billing/adjustments";
import { mapNumberToTenant } from "@/lib/billing/mapping";
import { createTenant as createTenantAsOps } from "@/lib/billing/tenants";
import { dismissUnmatchedEvent } from "@/lib/billing/unmatched-resolution";
import { logVoiceUsage } from "@/lib/billing/usage";
import { asBillingError, BillingError } from "@/lib/errors";
import { numbersQuerySchema } from "@/lib/ops/numbers";
import { decodeCursor, encodeCursor } from "@/lib/pagination";
import { createTenant, sidOf, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { z } from "zod";
import { refusal } from "@/lib/testing/refusal";

const NUL = "\u0000";
const actor = { actor: "user:ops@example.com" };

describe("a NUL character in free text", () => {
  const database = useTestDatabase();
  let mappingId: string;

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "nul-tenant");
    ({ mapping: { id: mappingId } } = await mapNumberToTenant(
      db,
      { tenantId: "nul-tenant", twilioNumberSid: sidOf("PN", 0xd00), phoneNumber: "+14155550900" },
      actor,
    ));
  });

  it("is refused by every free-text field, naming it, and leaves every table as it was", async () => {
    const { db } = database();
    const before = await snapshotTables(db);

    const tenant = await refusal(() => createTenantAsOps(db, { id: "nul-other", name: `Clinic${NUL}`, billingTimeZone: "UTC" }, actor));
    expect(tenant.code).toBe("invalid_input");
    expect(tenant.fieldErrors?.name).toEqual(["Name must not contain NUL characters (U+0000)"]);

    const adjustment = await refusal(() =>
      postUsageAdjustment(
        db,
        { tenantId: "nul-tenant", phoneMappingId: mappingId, period: "2026-03", usageType: "voice", direction: "credit", quantity: 1, reason: `refund${NUL}` },
        actor,
      ),
    );
    expect(adjustment.fieldErrors?.reason).toEqual(["The reason must not contain NUL characters (U+0000)"]);

    const dismissal = await refusal(() => dismissUnmatchedEvent(db, { id: 1, reason: `spam${NUL}` }, actor));
    expect(dismissal.fieldErrors?.reason).toEqual(["The reason must not contain NUL characters (U+0000)"]);

    const usage = await refusal(() => logVoiceUsage(db, { tenantId: "nul-tenant", phoneMappingId: mappingId, callSid: `CA${NUL}`, durationSeconds: 60 }));
    expect(usage.code).toBe("invalid_input");

    // Sign-in answers as for any wrong credentials, without a query.
    const signIn = await refusal(() => signInWithPassword(db, { email: `ops${NUL}@example.com`, password: "secret" }));
    expect(signIn.code).toBe("unauthorized");

    expect(await snapshotTables(db)).toEqual(before);
  });

  it("in the numbers list's search and filter, or a page cursor, is a refusal, not a query", () => {
    const search = numbersQuerySchema.safeParse({ q: `+1415${NUL}` });
    expect(search.success).toBe(false);
    expect(search.error?.issues.map((i) => i.message)).toEqual(["Search must not contain NUL characters (U+0000)"]);
    expect(numbersQuerySchema.safeParse({ tenant: `a${NUL}` }).success).toBe(false);
    expect(numbersQuerySchema.safeParse({ q: "+1415", tenant: "a" }).success).toBe(true);

    const shape = z.tuple([z.string().max(20), z.uuid()]);
    const id = "7b0f2a8e-4d0c-4c5e-9a39-0d5f3b1f2e11";
    expect(decodeCursor(encodeCursor(["+14155550900", id]), shape)).toEqual(["+14155550900", id]);
    expect(() => decodeCursor(encodeCursor([`+1415${NUL}`, id]), shape)).toThrow(BillingError);
  });

  it("that reaches the database anyway is invalid input (400), in a text value and in JSON for jsonb", async () => {
    const { db } = database();
    for (const query of [sql`select ${`a${NUL}b`}::text as v`, sql`select ${`{"a": "b\\u0000"}`}::jsonb as v`]) {
      const error = await queryRows(db, query).then(() => undefined, (e: unknown) => e);
      expect(error).toBeDefined();
      const known = asBillingError(error);
      expect(known?.code).toBe("invalid_input");
      expect(known?.status).toBe(400);
      expect(known?.message).toBe("The input holds a character the database cannot store (NUL, U+0000).");
    }
  });
});
