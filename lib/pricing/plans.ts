// Price plans with their history: every change is a new version that prices the period in which it is
// made (the tenant's current period, in its time zone) and every period after; earlier periods keep the
// version they had. A tenant is billed in one currency: the currency can change only while every
// version is of the current period (no earlier period is priced yet).
import "server-only";
import { and, desc, eq, lt, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { analyticsEvents, pricedMetrics, pricePlanCharges, pricePlans, tenants } from "@/db/schema";
import { billingPeriodFromMonth, billingPeriodOf } from "@/lib/billing/periods";
import { BillingError } from "@/lib/errors";
import { parseInput, periodSchema, tenantIdSchema } from "@/lib/validation";
import { canonicalPrice, microsToNumericText, parsePriceMicros } from "./money";
import { pricePlanSchema, type PlanVersion, type PricePlanInput, type PricePlanResponse } from "./schemas";

const numeric = (price: string) => microsToNumericText(parsePriceMicros(price)!);

async function tenantOf(db: Db, tenantId: string) {
  const id = parseInput(tenantIdSchema, tenantId);
  const [tenant] = await db.select({ id: tenants.id, timeZone: tenants.billingTimeZone }).from(tenants).where(eq(tenants.id, id));
  if (!tenant) throw new BillingError("not_found", `Unknown tenant "${id}"`);
  return tenant;
}

/**
 * Sets a tenant's plan from the current period on (a new version; the history stays). 400 with
 * fieldErrors for a bad body, 404 for an unknown tenant; nothing is written on any error.
 * `effectiveFrom` (YYYY-MM) is for the demo seed only: a plan back-dated to a period that has usage.
 */
export async function setPricePlan(
  db: Db,
  input: { tenantId: string; plan: PricePlanInput; effectiveFrom?: string },
  ctx: { actor: string; now?: Date },
): Promise<PricePlanResponse> {
  const plan = parseInput(pricePlanSchema, input.plan);
  const tenant = await tenantOf(db, input.tenantId);
  const current = billingPeriodOf(ctx.now ?? new Date(), tenant.timeZone);
  const effectiveFrom = input.effectiveFrom ? billingPeriodFromMonth(parseInput(periodSchema, input.effectiveFrom)).start : current.start;
  await db.transaction(async (tx) => {
    // One tenant's plan changes take turns, so the currency rule reads a settled history.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`price-plan:${tenant.id}`}))`);
    const [otherCurrency] = await tx
      .select({ currency: pricePlans.currency })
      .from(pricePlans)
      .where(and(eq(pricePlans.tenantId, tenant.id), lt(pricePlans.effectiveFrom, effectiveFrom), ne(pricePlans.currency, plan.currency)))
      .limit(1);
    if (otherCurrency) {
      const message = `Tenant "${tenant.id}" is billed in ${otherCurrency.currency}: its earlier periods are priced in it, so a plan cannot change the currency`;
      throw new BillingError("invalid_input", message, { fieldErrors: { currency: [message] } });
    }
    const [version] = await tx
      .insert(pricePlans)
      .values({
        tenantId: tenant.id,
        effectiveFrom,
        currency: plan.currency,
        numberFeeLocal: numeric(plan.number_monthly_fee.local),
        numberFeeTollFree: numeric(plan.number_monthly_fee.toll_free),
        createdBy: ctx.actor,
      })
      .returning({ id: pricePlans.id });
    const charges = Object.entries(plan.charges).flatMap(([metric, charge]) =>
      charge ? [{ planId: version!.id, metric: metric as keyof typeof plan.charges, unitPrice: numeric(charge.unit_price), included: charge.included }] : [],
    );
    if (charges.length) await tx.insert(pricePlanCharges).values(charges);
    await tx.insert(analyticsEvents).values({
      eventType: "price_plan_set",
      tenantId: tenant.id,
      actor: ctx.actor,
      properties: { plan_id: version!.id, effective_from: effectiveFrom.slice(0, 7), ...plan },
    });
  });
  return (await pricePlanOf(db, { tenantId: tenant.id, period: effectiveFrom.slice(0, 7) }))!;
}

/**
 * The plan that prices `period` (default: the tenant's current one) with every version, newest first;
 * null when none does. 404 for an unknown tenant.
 */
export async function pricePlanOf(db: Db, input: { tenantId: string; period?: string }): Promise<PricePlanResponse | null> {
  const tenant = await tenantOf(db, input.tenantId);
  const period = input.period ? billingPeriodFromMonth(parseInput(periodSchema, input.period)) : billingPeriodOf(new Date(), tenant.timeZone);
  const versions = await db
    .select()
    .from(pricePlans)
    .where(eq(pricePlans.tenantId, tenant.id))
    .orderBy(desc(pricePlans.effectiveFrom), desc(pricePlans.id))
    .limit(240);
  const current = versions.find((v) => v.effectiveFrom <= period.start);
  if (!current) return null;
  const charges = await db
    .select()
    .from(pricePlanCharges)
    .where(sql`${pricePlanCharges.planId} in (${sql.join(versions.map((v) => sql`${v.id}`), sql`, `)})`);
  const versionOf = (v: (typeof versions)[number]): PlanVersion => ({
    effective_from: v.effectiveFrom.slice(0, 7),
    currency: v.currency,
    number_monthly_fee: { local: canonicalPrice(v.numberFeeLocal), toll_free: canonicalPrice(v.numberFeeTollFree) },
    charges: Object.fromEntries(
      charges
        .filter((c) => c.planId === v.id)
        .sort((a, b) => pricedMetrics.indexOf(a.metric) - pricedMetrics.indexOf(b.metric))
        .map((c) => [c.metric, { unit_price: canonicalPrice(c.unitPrice), included: Number(c.included) }]),
    ),
    created_at: new Date(v.createdAt).toISOString(),
    created_by: v.createdBy,
  });
  return { success: true, tenant_id: tenant.id, ...versionOf(current), history: versions.map(versionOf) };
}
