// Sign-in: right passwords sign in, wrong ones do not, and repeated failures lock the email for a while
// (even against the right password), without revealing which emails exist.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { signInAttempts, users } from "@/db/schema";
import { createTenant, useTestDatabase } from "@/lib/testing/db";
import { LOCK_MINUTES, MAX_FAILURES, signInWithPassword, WRONG_CREDENTIALS } from "./sign-in";
import { createUser } from "./users";
import { refusal } from "@/lib/testing/refusal";

describe("signing in with email and password", () => {
  const database = useTestDatabase();

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "test-tenant-123");
    await createUser(db, { email: "Ops@Example.com", password: "correct-horse-battery", role: "ops" });
    await createUser(db, { email: "tenant@example.com", password: "tenant-password-1", role: "tenant", tenantId: "test-tenant-123" });
  });

  it("stores only a bcrypt hash and signs in with the right password, email case-insensitive", async () => {
    const { db } = database();
    const [row] = await db.select().from(users).where(eq(users.email, "ops@example.com"));
    expect(row!.passwordHash).toMatch(/^\$2[aby]\$12\$/);
    expect(row!.passwordHash).not.toContain("correct-horse-battery");
    const user = await signInWithPassword(db, { email: " OPS@example.com ", password: "correct-horse-battery" });
    expect(user).toMatchObject({ email: "ops@example.com", role: "ops", tenantId: null });
    const tenant = await signInWithPassword(db, { email: "tenant@example.com", password: "tenant-password-1" });
    expect(tenant).toMatchObject({ role: "tenant", tenantId: "test-tenant-123" });
  });

  it("refuses a wrong password and an unknown email with the same message", async () => {
    const { db } = database();
    const wrong = await refusal(() => signInWithPassword(db, { email: "tenant@example.com", password: "nope-nope-nope" }));
    const unknown = await refusal(() => signInWithPassword(db, { email: "nobody@example.com", password: "nope-nope-nope" }));
    expect([wrong.code, wrong.message]).toEqual(["unauthorized", WRONG_CREDENTIALS]);
    expect([unknown.code, unknown.message]).toEqual(["unauthorized", WRONG_CREDENTIALS]);
    expect((await refusal(() => signInWithPassword(db, { email: "tenant@example.com" }))).code).toBe("unauthorized");
    // A success clears the count of failures.
    await signInWithPassword(db, { email: "tenant@example.com", password: "tenant-password-1" });
    expect(await db.select().from(signInAttempts).where(eq(signInAttempts.email, "tenant@example.com"))).toEqual([]);
  });

  it(`locks an email after ${MAX_FAILURES} failures in a row, even for the right password, until the lock runs out`, async () => {
    const { db } = database();
    const start = new Date("2026-11-24T10:00:00Z");
    for (let i = 1; i < MAX_FAILURES; i++) {
      const err = await refusal(() => signInWithPassword(db, { email: "ops@example.com", password: `guess-${i}` }, start));
      expect(err.code).toBe("unauthorized");
    }
    const locking = await refusal(() => signInWithPassword(db, { email: "ops@example.com", password: "guess-last" }, start));
    expect(locking.code).toBe("rate_limited");
    expect(locking.message).toBe(`Too many failed sign-ins for this email. Try again in ${LOCK_MINUTES} minutes.`);

    const later = new Date(start.getTime() + 5 * 60_000);
    const locked = await refusal(() => signInWithPassword(db, { email: "ops@example.com", password: "correct-horse-battery" }, later));
    expect(locked.code).toBe("rate_limited");
    expect(locked.message).toContain(`Try again in ${LOCK_MINUTES - 5} minutes`);

    const afterLock = new Date(start.getTime() + (LOCK_MINUTES + 1) * 60_000);
    const user = await signInWithPassword(db, { email: "ops@example.com", password: "correct-horse-battery" }, afterLock);
    expect(user.email).toBe("ops@example.com");
  });

  it("counts concurrent wrong guesses exactly, so a burst cannot slip past the limit", async () => {
    const { db } = database();
    const at = new Date("2026-11-24T12:00:00Z");
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => signInWithPassword(db, { email: "burst@example.com", password: `guess-${i}` }, at)),
    );
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    const [row] = await db.select().from(signInAttempts).where(eq(signInAttempts.email, "burst@example.com"));
    expect(row!.failures).toBe(12);
    expect(row!.lockedUntil).toEqual(new Date(at.getTime() + LOCK_MINUTES * 60_000));
  });
});
