// Who owns a number, over time. A number has at most one active mapping; re-mapping it to another
// tenant (a transfer) ends the old mapping at the same instant the new one starts, so every event
// time belongs to exactly one owner.
import "server-only";
import { and, desc, eq, gt, isNull, lte, ne, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { analyticsEvents, tenantPhoneMappings, tenants } from "@/db/schema";
import { BillingError, rethrowAsBillingError } from "@/lib/errors";
import { e164Schema, parseInput } from "@/lib/validation";
import { mapNumberSchema, type MapNumberInput } from "./schemas";

export type PhoneMapping = typeof tenantPhoneMappings.$inferSelect;

// Spans start and end on whole milliseconds, so a JavaScript Date read back names the exact instant.
const nowMs = sql`date_trunc('milliseconds', now())`;

export const MAPPED_MESSAGE = "Mapped number to tenant and initialized usage counters";

/** The evidence sentence of the original design, shown in the UI and returned by the API. */
export function mappingEvidence(phoneNumber: string, updated: boolean): string {
  return `✅ Mapped ${phoneNumber} to tenant and initialized usage counters${updated ? " (updated)" : ""}`;
}

export interface MapNumberResult {
  mapping: PhoneMapping;
  created: boolean;
  /** The tenant that held the number before a transfer. */
  transferredFrom?: string;
  message: string;
  evidence: string;
}

export interface ActorContext {
  /** Who made the change: `user:<email>`, `apikey:<name>`, `script`. */
  actor: string;
}

/**
 * Maps a number to a tenant: creates the mapping, or updates it when the tenant already has it
 * (the original design's duplicate case). A number actively held by another tenant is refused
 * unless `transfer` is set. Initialises the current period's counter and records the change.
 */
export async function mapNumberToTenant(db: Db, input: MapNumberInput, ctx: ActorContext): Promise<MapNumberResult> {
  const { tenantId, twilioNumberSid, phoneNumber, numberType, transfer } = parseInput(mapNumberSchema, input);
  try {
    return await db.transaction(async (tx) => {
      // Serialise changes to one number (two first-time mappings of it racing each other).
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`phone:${phoneNumber}`}))`);
      const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
      if (!tenant) throw new BillingError("not_found", `Unknown tenant "${tenantId}"`, { fieldErrors: { tenantId: [`Unknown tenant "${tenantId}"`] } });

      const [sidHolder] = await tx
        .select({ phoneNumber: tenantPhoneMappings.phoneNumber })
        .from(tenantPhoneMappings)
        .where(
          and(
            eq(tenantPhoneMappings.twilioNumberSid, twilioNumberSid),
            isNull(tenantPhoneMappings.deprovisionedAt),
            ne(tenantPhoneMappings.phoneNumber, phoneNumber),
          ),
        );
      if (sidHolder) {
        throw new BillingError("conflict", `Twilio Number SID ${twilioNumberSid} is already mapped to ${sidHolder.phoneNumber}`);
      }

      const [active] = await tx
        .select()
        .from(tenantPhoneMappings)
        .where(and(eq(tenantPhoneMappings.phoneNumber, phoneNumber), isNull(tenantPhoneMappings.deprovisionedAt)))
        .for("update");

      let transferredFrom: string | undefined;
      if (active && active.tenantId !== tenantId) {
        if (!transfer) {
          throw new BillingError(
            "conflict",
            `${phoneNumber} is mapped to another tenant ("${active.tenantId}"). Choose transfer to end that mapping and map it to "${tenantId}".`,
            { details: { current_tenant_id: active.tenantId } },
          );
        }
        await tx
          .update(tenantPhoneMappings)
          .set({ deprovisionedAt: nowMs, updatedAt: sql`now()` })
          .where(eq(tenantPhoneMappings.id, active.id));
        transferredFrom = active.tenantId;
      }

      const [own] = await tx
        .select()
        .from(tenantPhoneMappings)
        .where(and(eq(tenantPhoneMappings.tenantId, tenantId), eq(tenantPhoneMappings.phoneNumber, phoneNumber)));

      let mapping: PhoneMapping | undefined;
      if (own) {
        const reactivate = own.deprovisionedAt !== null;
        [mapping] = await tx
          .update(tenantPhoneMappings)
          .set({
            twilioNumberSid,
            numberType,
            updatedAt: sql`now()`,
            // An ended mapping starts a new span now; an active one keeps its span.
            ...(reactivate ? { provisionedAt: nowMs, deprovisionedAt: null } : {}),
          })
          .where(eq(tenantPhoneMappings.id, own.id))
          .returning();
      } else {
        [mapping] = await tx
          .insert(tenantPhoneMappings)
          .values({ tenantId, twilioNumberSid, phoneNumber, numberType, provisionedAt: nowMs })
          .returning();
      }
      if (!mapping) throw new Error("mapping write returned no row");
      const created = !own;

      await tx.execute(sql`select id from get_or_create_usage_counter(${tenantId}, ${mapping.id}::uuid)`);
      await tx.insert(analyticsEvents).values({
        eventType: transferredFrom ? "number_transferred" : "number_mapped",
        tenantId,
        actor: ctx.actor,
        properties: {
          mapping_id: mapping.id,
          phone_number: phoneNumber,
          twilio_number_sid: twilioNumberSid,
          number_type: numberType,
          created,
          ...(transferredFrom ? { transferred_from: transferredFrom } : {}),
          message: MAPPED_MESSAGE,
        },
      });
      return {
        mapping,
        created,
        transferredFrom,
        message: MAPPED_MESSAGE,
        evidence: mappingEvidence(phoneNumber, !created),
      };
    });
  } catch (err) {
    rethrowAsBillingError(err);
  }
}

/** Ends the active mapping of a number now. Usage after this instant is unmatched until re-mapped. */
export async function deprovisionNumber(
  db: Db,
  input: { phoneNumber: string },
  ctx: ActorContext,
): Promise<PhoneMapping> {
  const phoneNumber = parseInput(e164Schema, input.phoneNumber);
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`phone:${phoneNumber}`}))`);
      const [ended] = await tx
        .update(tenantPhoneMappings)
        .set({ deprovisionedAt: nowMs, updatedAt: sql`now()` })
        .where(and(eq(tenantPhoneMappings.phoneNumber, phoneNumber), isNull(tenantPhoneMappings.deprovisionedAt)))
        .returning();
      if (!ended) throw new BillingError("not_found", `${phoneNumber} has no active mapping`);
      await tx.insert(analyticsEvents).values({
        eventType: "number_deprovisioned",
        tenantId: ended.tenantId,
        actor: ctx.actor,
        properties: { mapping_id: ended.id, phone_number: phoneNumber },
      });
      return ended;
    });
  } catch (err) {
    rethrowAsBillingError(err);
  }
}

/** The mapping that owned `phoneNumber` at instant `at` (default now), or null when none did. */
export async function findActiveMappingForNumber(
  db: Db,
  phoneNumber: string,
  at: Date = new Date(),
): Promise<PhoneMapping | null> {
  const [mapping] = await db
    .select()
    .from(tenantPhoneMappings)
    .where(
      and(
        eq(tenantPhoneMappings.phoneNumber, phoneNumber),
        lte(tenantPhoneMappings.provisionedAt, at),
        or(isNull(tenantPhoneMappings.deprovisionedAt), gt(tenantPhoneMappings.deprovisionedAt, at)),
      ),
    )
    .orderBy(desc(tenantPhoneMappings.provisionedAt))
    .limit(1);
  return mapping ?? null;
}
