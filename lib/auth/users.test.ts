// Users: roles and tenant binding are checked, emails are unique and stored lower-cased.
import { describe, expect, it } from "vitest";
import { createTenant, snapshotTables, useTestDatabase } from "@/lib/testing/db";
import { createUser } from "./users";
import { refusal } from "@/lib/testing/refusal";

describe("creating users", () => {
  const database = useTestDatabase();

  it("creates ops and tenant users, and refuses bad input and duplicates without writing", async () => {
    const { db } = database();
    await createTenant(db, "acme-dental");
    const ops = await createUser(db, { email: "Lead@Example.com", password: "long-enough-pass", role: "ops" });
    expect(ops).toMatchObject({ email: "lead@example.com", role: "ops", tenantId: null, created: true });
    const tenant = await createUser(db, { email: "t@example.com", password: "long-enough-pass", role: "tenant", tenantId: "acme-dental" });
    expect(tenant).toMatchObject({ role: "tenant", tenantId: "acme-dental" });
    expect(await createUser(db, { email: "lead@example.com", password: "other-password", role: "ops" }, { ifExists: "keep" })).toMatchObject({
      id: ops.id,
      created: false,
    });

    const before = await snapshotTables(db);
    expect((await refusal(() => createUser(db, { email: "LEAD@example.com", password: "long-enough-pass", role: "ops" }))).code).toBe("conflict");
    const noTenant = await refusal(() => createUser(db, { email: "x@example.com", password: "long-enough-pass", role: "tenant" }));
    expect(noTenant.fieldErrors).toEqual({ tenantId: ["A tenant user needs the tenant it belongs to"] });
    const short = await refusal(() => createUser(db, { email: "not-an-email", password: "short", role: "ops" }));
    expect(Object.keys(short.fieldErrors ?? {}).sort()).toEqual(["email", "password"]);
    expect((await refusal(() => createUser(db, { email: "y@example.com", password: "long-enough-pass", role: "tenant", tenantId: "nope" }))).code).toBe(
      "not_found",
    );
    expect(await snapshotTables(db)).toEqual(before);
  });
});
