// Email + password sign-in with a lock-out: after MAX_FAILURES wrong passwords in a row for an email,
// that email cannot sign in for LOCK_MINUTES, whatever password is given. Unknown emails are throttled
// the same way and cost the same bcrypt time, so neither timing nor locks reveal which emails exist.
import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { signInAttempts, users } from "@/db/schema";
import { BillingError } from "@/lib/errors";
import { withoutNul } from "@/lib/validation";
import { dummyPasswordHash, verifyPassword } from "./passwords";
import type { SessionUser } from "./session-user";

export const MAX_FAILURES = 5;
export const LOCK_MINUTES = 15;

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().min(1).max(254).refine(...withoutNul("Email")),
  password: z.string().min(1).max(1024),
});

export const WRONG_CREDENTIALS = "Email or password is incorrect";

function lockedMessage(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `Too many failed sign-ins for this email. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/**
 * The user these credentials belong to, or a BillingError: unauthorized (wrong email or password,
 * one message for both) or rate_limited (locked out).
 */
export async function signInWithPassword(db: Db, credentials: unknown, now = new Date()): Promise<SessionUser> {
  const parsed = credentialsSchema.safeParse(credentials);
  if (!parsed.success) throw new BillingError("unauthorized", WRONG_CREDENTIALS);
  const { email, password } = parsed.data;

  const [attempt] = await db.select().from(signInAttempts).where(eq(signInAttempts.email, email));
  if (attempt?.lockedUntil && attempt.lockedUntil > now) {
    throw new BillingError("rate_limited", lockedMessage(attempt.lockedUntil, now));
  }

  const [user] = await db.select().from(users).where(eq(users.email, email));
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !ok) {
    const lockedUntil = await recordFailure(db, email, now);
    if (lockedUntil) throw new BillingError("rate_limited", lockedMessage(lockedUntil, now));
    throw new BillingError("unauthorized", WRONG_CREDENTIALS);
  }
  if (attempt) await db.delete(signInAttempts).where(eq(signInAttempts.email, email));
  return { id: user.id, email: user.email, role: user.role, tenantId: user.tenantId };
}

/** Counts one failure atomically (concurrent guesses cannot slip past the limit); the lock time if it locks. */
async function recordFailure(db: Db, email: string, now: Date): Promise<Date | null> {
  const lockUntil = new Date(now.getTime() + LOCK_MINUTES * 60_000);
  const [row] = await db
    .insert(signInAttempts)
    .values({ email, failures: 1, lastFailureAt: now, lockedUntil: MAX_FAILURES <= 1 ? lockUntil : null })
    .onConflictDoUpdate({
      target: signInAttempts.email,
      set: {
        // A lock that has run out starts a fresh count.
        failures: sql`CASE WHEN ${signInAttempts.lockedUntil} IS NOT NULL AND ${signInAttempts.lockedUntil} <= ${now.toISOString()}::timestamptz
          THEN 1 ELSE ${signInAttempts.failures} + 1 END`,
        lastFailureAt: now,
        lockedUntil: sql`CASE
          WHEN ${signInAttempts.lockedUntil} IS NOT NULL AND ${signInAttempts.lockedUntil} > ${now.toISOString()}::timestamptz THEN ${signInAttempts.lockedUntil}
          WHEN ${signInAttempts.lockedUntil} IS NULL AND ${signInAttempts.failures} + 1 >= ${MAX_FAILURES} THEN ${lockUntil.toISOString()}::timestamptz
          ELSE NULL END`,
      },
    })
    .returning({ lockedUntil: signInAttempts.lockedUntil });
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null;
}
