// Ops corrections: a credit or debit of minutes or SMS messages in one direction on one number and
// period, appended to the audit log as its own entry (actor, reason) while the counter moves with it.
// The rule is the SQL function post_usage_adjustment (db/functions/70-adjustments.sql).
import "server-only";
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { BillingError, rethrowAsBillingError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import type { UsageLogResult } from "./ledger-writer";
import { usageAdjustmentSchema } from "./adjustment-schema";

export { usageAdjustmentSchema };

export type UsageAdjustmentInput = z.input<typeof usageAdjustmentSchema>;

export async function postUsageAdjustment(db: Db, input: UsageAdjustmentInput, ctx: { actor: string }): Promise<UsageLogResult> {
  const a = parseInput(usageAdjustmentSchema, input);
  const signed = a.direction === "debit" ? a.quantity : -a.quantity;
  try {
    const [row] = await queryRows<{ counted: boolean; log_id: string; counter_id: string; billing_period_start: string; billing_period_end: string }>(
      db,
      sql`select counted, log_id::text, counter_id::text, billing_period_start::text, billing_period_end::text
          from post_usage_adjustment(${a.tenantId}, ${a.phoneMappingId}::uuid, ${`${a.period}-01`}::date, ${a.usageType},
            ${signed}::int, ${ctx.actor}, ${a.reason}, ${a.idempotencyKey ?? randomUUID()}, ${a.usageDirection})`,
    );
    if (!row) throw new BillingError("unavailable", "The adjustment returned no result");
    return {
      counted: row.counted,
      logId: Number(row.log_id),
      counterId: row.counter_id,
      billingPeriodStart: row.billing_period_start,
      billingPeriodEnd: row.billing_period_end,
    };
  } catch (err) {
    rethrowAsBillingError(err);
  }
}
