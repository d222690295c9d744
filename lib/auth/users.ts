// Users of the console: ops staff (everything) and tenant users (bound to exactly one tenant).
import "server-only";
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { analyticsEvents, tenants, users, userRoles } from "@/db/schema";
import { BillingError, isUniqueViolation } from "@/lib/errors";
import { parseInput, tenantIdSchema } from "@/lib/validation";
import { hashPassword, passwordSchema } from "./passwords";

export const emailSchema = z
  .string({ error: "Email is required" })
  .trim()
  .toLowerCase()
  .max(254, { error: "Email must be at most 254 characters" })
  .pipe(z.email({ error: "Email must be a valid address like name@example.com" }));

export const createUserSchema = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    role: z.enum(userRoles, { error: "Role must be ops or tenant" }),
    tenantId: tenantIdSchema.optional().nullable(),
  })
  .superRefine((user, ctx) => {
    if (user.role === "tenant" && !user.tenantId) {
      ctx.addIssue({ code: "custom", path: ["tenantId"], message: "A tenant user needs the tenant it belongs to" });
    }
    if (user.role === "ops" && user.tenantId) {
      ctx.addIssue({ code: "custom", path: ["tenantId"], message: "An ops user belongs to no tenant" });
    }
  });
export type CreateUserInput = z.input<typeof createUserSchema>;

export interface UserSummary {
  id: string;
  email: string;
  role: (typeof userRoles)[number];
  tenantId: string | null;
  created: boolean;
}

/**
 * Creates a user with a bcrypt hash of the password. An existing email is an error (409) unless
 * `ifExists` says to keep it as it is ("keep", the demo seed) or to set its password and role ("update").
 */
export async function createUser(
  db: Db,
  input: CreateUserInput,
  options: { ifExists?: "error" | "keep" | "update"; actor?: string } = {},
): Promise<UserSummary> {
  const user = parseInput(createUserSchema, input);
  const tenantId = user.tenantId ?? null;
  if (tenantId) {
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
    if (!tenant) throw new BillingError("not_found", `Tenant ${tenantId} does not exist`);
  }
  const [existing] = await db.select().from(users).where(eq(users.email, user.email));
  if (existing) {
    if (options.ifExists === "keep") return { ...summaryOf(existing), created: false };
    if (options.ifExists !== "update") throw new BillingError("conflict", `A user with email ${user.email} already exists`);
    const passwordHash = await hashPassword(user.password);
    const [updated] = await db
      .update(users)
      .set({ passwordHash, role: user.role, tenantId })
      .where(eq(users.id, existing.id))
      .returning();
    return { ...summaryOf(updated!), created: false };
  }
  const passwordHash = await hashPassword(user.password);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx.insert(users).values({ email: user.email, passwordHash, role: user.role, tenantId }).returning();
      await tx.insert(analyticsEvents).values({
        eventType: "user_created",
        tenantId,
        actor: options.actor ?? "system",
        properties: { email: user.email, role: user.role },
      });
      return { ...summaryOf(row!), created: true };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new BillingError("conflict", `A user with email ${user.email} already exists`);
    throw err;
  }
}

function summaryOf(row: typeof users.$inferSelect): Omit<UserSummary, "created"> {
  return { id: row.id, email: row.email, role: row.role, tenantId: row.tenantId };
}

export async function findUserById(db: Db, id: string): Promise<Omit<UserSummary, "created"> | null> {
  if (!z.uuid().safeParse(id).success) return null;
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row ? summaryOf(row) : null;
}
