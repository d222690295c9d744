// Server actions with one shape: input parsed with zod, the caller's role checked from the session,
// one domain call, and a result the form can show (never a thrown error crossing to the browser).
import "server-only";
import type { z } from "zod";
import { getDb, type Db } from "@/db/client";
import { requireOpsActor, requireTenantActor } from "@/lib/auth/session";
import { asBillingError, BillingError } from "@/lib/errors";
import { errorLogFields, logger } from "@/lib/logging/logger";
import { parseInput } from "@/lib/validation";

export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: string; status: number; fieldErrors?: Record<string, string[]> };

function failureOf(err: unknown): ActionResult<never> {
  const known = asBillingError(err);
  if (known) {
    if (known.status >= 500) logger.error({ code: known.code, err: errorLogFields(known) }, "server action failed");
    return { ok: false, error: known.message, status: known.status, ...(known.fieldErrors ? { fieldErrors: known.fieldErrors } : {}) };
  }
  logger.error({ err: errorLogFields(err) }, "server action failed");
  return { ok: false, error: "Something went wrong on the server; nothing was changed.", status: 500 };
}

export function opsAction<S extends z.ZodType, T>(
  schema: S,
  run: (input: z.output<S>, ctx: { actor: string; db: Db }) => Promise<T>,
): (raw: z.input<S>) => Promise<ActionResult<T>> {
  return async (raw) => {
    try {
      const actor = await requireOpsActor();
      const input = parseInput(schema, raw);
      return { ok: true, data: await run(input, { actor, db: await getDb() }) };
    } catch (err) {
      return failureOf(err);
    }
  };
}

export function tenantAction<S extends z.ZodType, T>(
  schema: S,
  run: (input: z.output<S>, ctx: { actor: string; tenantId: string; db: Db }) => Promise<T>,
): (raw: z.input<S>) => Promise<ActionResult<T>> {
  return async (raw) => {
    try {
      const { actor, tenantId } = await requireTenantActor();
      const input = parseInput(schema, raw);
      return { ok: true, data: await run(input, { actor, tenantId, db: await getDb() }) };
    } catch (err) {
      return failureOf(err);
    }
  };
}

export { BillingError };
