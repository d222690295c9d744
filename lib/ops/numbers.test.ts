// The numbers list: keyset pages in every sort walk all mappings once, forward and back, with filters.
import { beforeAll, describe, expect, it } from "vitest";
import { mapNumberToTenant, deprovisionNumber } from "@/lib/billing";
import { BillingError } from "@/lib/errors";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { listNumbers, numbersQuerySchema, NUMBER_SORTS, type NumberRow } from "./numbers";

const actor = { actor: "user:ops@example.com" };

describe("listing numbers", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "alpha");
    await createTenant(db, "beta");
    for (let i = 0; i < 23; i++) {
      await mapNumberToTenant(
        db,
        { tenantId: i % 3 === 0 ? "beta" : "alpha", twilioNumberSid: sidOf("PN", 0x500 + i), phoneNumber: `+1415555${String(1000 + i)}`, numberType: i % 2 ? "sms" : "both" },
        actor,
      );
    }
    await deprovisionNumber(db, { phoneNumber: "+14155551004" }, actor);
  });

  async function walk(query: Record<string, string>): Promise<NumberRow[]> {
    const { db } = database();
    const seen: NumberRow[] = [];
    let page = await listNumbers(db, numbersQuerySchema.parse(query), 5);
    seen.push(...page.rows);
    while (page.nextCursor) {
      page = await listNumbers(db, numbersQuerySchema.parse({ ...query, after: page.nextCursor }), 5);
      seen.push(...page.rows);
    }
    // And back from the last page to the first.
    const back: NumberRow[] = [...page.rows];
    while (page.prevCursor) {
      page = await listNumbers(db, numbersQuerySchema.parse({ ...query, before: page.prevCursor }), 5);
      back.unshift(...page.rows);
    }
    expect(back.map((r) => r.id)).toEqual(seen.map((r) => r.id));
    return seen;
  }

  it.each(NUMBER_SORTS)("sort %s walks every mapping exactly once, both ways", async (sort) => {
    const rows = await walk({ sort });
    expect(rows).toHaveLength(23);
    expect(new Set(rows.map((r) => r.id)).size).toBe(23);
    if (sort === "phone") expect(rows.map((r) => r.phoneNumber)).toEqual([...rows.map((r) => r.phoneNumber)].sort());
    if (sort === "tenant") expect(rows.map((r) => r.tenantId)).toEqual([...rows.map((r) => r.tenantId)].sort());
    if (sort === "newest") expect(rows.map((r) => r.provisionedAt)).toEqual([...rows.map((r) => r.provisionedAt)].sort().reverse());
  });

  it("filters by tenant, type, status and number or SID prefix", async () => {
    // The seed's own rule: number 1000 + i belongs to beta when i % 3 = 0, and is an SMS number when i is odd.
    const seeded = Array.from({ length: 23 }, (_, i) => ({ i, phoneNumber: `+1415555${1000 + i}` }));
    const phonesOf = (rows: NumberRow[]) => rows.map((r) => r.phoneNumber).sort();
    const beta = await walk({ tenant: "beta" });
    expect(phonesOf(beta)).toEqual(seeded.filter(({ i }) => i % 3 === 0).map((n) => n.phoneNumber));
    expect(beta.map((r) => r.tenantId)).toEqual(beta.map(() => "beta"));
    const sms = await walk({ type: "sms" });
    expect(phonesOf(sms)).toEqual(seeded.filter(({ i }) => i % 2 === 1).map((n) => n.phoneNumber));
    expect(sms.map((r) => r.numberType)).toEqual(sms.map(() => "sms"));
    expect((await walk({ status: "ended" })).map((r) => r.phoneNumber)).toEqual(["+14155551004"]);
    expect(await walk({ status: "active", sort: "phone" })).toHaveLength(22);
    expect((await walk({ q: "+1415555101" })).map((r) => r.phoneNumber).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `+141555510${10 + i}`),
    );
    expect((await walk({ q: sidOf("PN", 0x500).slice(0, 30) })).length).toBeGreaterThan(0);
    expect(await walk({ q: "100%" })).toHaveLength(0);
  });

  it("refuses a forged cursor and unknown filter values with a clear error", async () => {
    const { db } = database();
    const err = await listNumbers(db, numbersQuerySchema.parse({ after: "bm90LWEtY3Vyc29y" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BillingError);
    expect((err as BillingError).message).toBe("The page link is not valid; start again from the first page");
    expect(numbersQuerySchema.safeParse({ type: "fax" }).success).toBe(false);
    expect(numbersQuerySchema.safeParse({ sort: "price" }).error?.issues[0]?.message).toBe("Sort must be newest, phone or tenant");
  });
});
