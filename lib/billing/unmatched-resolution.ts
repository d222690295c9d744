// The unmatched inbox: usage no mapping covered, kept with its payload until ops assign it to a mapping
// (then it is counted, exactly once, in the period it happened) or dismiss it with a reason.
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { queryRows, type Db } from "@/db/client";
import { analyticsEvents, tenantPhoneMappings, unmatchedStatuses, unmatchedUsageEvents } from "@/db/schema";
import { BillingError, rethrowAsBillingError } from "@/lib/errors";
import { decodeCursor, pageOf, type Page } from "@/lib/pagination";
import { parseInput, withoutNul } from "@/lib/validation";
import { writeUsageEvent, type UsageEvent } from "./ledger-writer";

export const assignUnmatchedSchema = z.object({
  id: z.coerce.number({ error: "Unknown unmatched event" }).int().positive({ error: "Unknown unmatched event" }),
  phoneMappingId: z.uuid({ error: "Choose the mapping to count it to" }),
});
export const dismissUnmatchedSchema = z.object({
  id: z.coerce.number({ error: "Unknown unmatched event" }).int().positive({ error: "Unknown unmatched event" }),
  reason: z
    .string({ error: "A reason is required" })
    .trim()
    .min(3, { error: "A reason is required (at least 3 characters)" })
    .max(500)
    .refine(...withoutNul("The reason")),
});

export interface UnmatchedRow {
  id: number;
  usageType: "voice" | "sms";
  direction: "inbound" | "outbound" | null;
  channel: "sms" | "mms" | "whatsapp" | null;
  /** Null when the tenant's side was not a phone number (reason says what it was). */
  phoneNumber: string | null;
  /** Null for a callback without a readable SID. */
  providerSid: string | null;
  parentCallSid: string | null;
  /** Why no mapping took it. */
  reason: string | null;
  /** Whether it can be assigned: a callback that could not be read can only be dismissed. */
  countable: boolean;
  /** The phone numbers of the payload's From and To: where to look for a mapping when phoneNumber is null. */
  payloadNumbers: string[];
  eventAt: string;
  voiceSeconds: number | null;
  smsSegments: number | null;
  status: (typeof unmatchedStatuses)[number];
  receivedAt: string;
  resolvedBy: string | null;
  resolutionReason: string | null;
  assignedMappingId: string | null;
  usageLogId: number | null;
}

export async function countOpenUnmatched(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from unmatched_usage_events where status = 'open'`);
  return row?.n ?? 0;
}

/** The inbox, newest first by keyset over (received_at, id), optionally by status. */
export async function listUnmatched(
  db: Db,
  query: { status?: (typeof unmatchedStatuses)[number]; after?: string; before?: string; limit?: number },
): Promise<Page<UnmatchedRow>> {
  const limit = Math.min(query.limit ?? 50, 200);
  const reverse = !query.after && !!query.before;
  const cursorText = query.after ?? query.before;
  const where = [query.status ? sql`status = ${query.status}` : sql`true`];
  if (cursorText) {
    const [at, id] = decodeCursor(cursorText, z.tuple([z.iso.datetime({ offset: true }), z.number().int()]));
    where.push(reverse ? sql`(received_at, id) > (${at}::timestamptz, ${id})` : sql`(received_at, id) < (${at}::timestamptz, ${id})`);
  }
  const rows = await queryRows<UnmatchedRow>(
    db,
    sql`select id::int as id, usage_type as "usageType", direction, channel, phone_number as "phoneNumber", provider_sid as "providerSid",
        parent_call_sid as "parentCallSid", reason, ledger_event is not null as countable,
        array(select x.n from unnest(array[payload ->> 'From', payload ->> 'To']) as a(v)
              cross join lateral (select regexp_replace(a.v, '^whatsapp:', '') as n) x
              where x.n ~ '^[+][1-9][0-9]{6,14}$') as "payloadNumbers",
        to_char(event_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "eventAt", voice_seconds as "voiceSeconds",
        sms_segments as "smsSegments", status,
        to_char(received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "receivedAt",
        resolved_by as "resolvedBy", resolution_reason as "resolutionReason", assigned_mapping_id::text as "assignedMappingId",
        usage_log_id::int as "usageLogId"
      from unmatched_usage_events where ${sql.join(where, sql` and `)}
      order by ${reverse ? sql`received_at asc, id asc` : sql`received_at desc, id desc`} limit ${limit + 1}`,
  );
  return pageOf(rows, limit, reverse ? "prev" : "next", !!cursorText, (r) => [r.receivedAt, r.id]);
}

type UnmatchedItem = typeof unmatchedUsageEvents.$inferSelect;

/**
 * What an inbox item is counted as when ops assign it: the ledger event it was kept with (the same
 * duration or segments, direction, channel and time the webhook carried), on the chosen mapping. A
 * callback that could not be read has none: it can only be dismissed (and billed by an adjustment).
 */
function ledgerEventOf(item: UnmatchedItem, mapping: { id: string; tenantId: string }, actor: string): UsageEvent {
  const kept = item.ledgerEvent as { kind?: string; duration_seconds?: number; direction?: string; metadata?: Record<string, unknown> } | null;
  if (!kept || (kept.kind !== "voice" && kept.kind !== "sms")) {
    throw new BillingError(
      "invalid_input",
      `Unmatched event ${item.id} could not be read (${item.reason ?? "no reason recorded"}): it cannot be counted as it is; dismiss it, and post an adjustment for what Twilio billed`,
    );
  }
  const metadata = Object.assign({}, kept.metadata, {
    assigned_from_unmatched_id: item.id,
    unmatched_phone_number: item.phoneNumber,
    account_sid: item.accountSid,
    assigned_by: actor,
  });
  return kept.kind === "voice"
    ? { kind: "voice", tenantId: mapping.tenantId, phoneMappingId: mapping.id, durationSeconds: kept.duration_seconds ?? 0, metadata }
    : { kind: "sms", tenantId: mapping.tenantId, phoneMappingId: mapping.id, direction: kept.direction === "outbound" ? "outbound" : "inbound", metadata };
}

async function lockOpenItem(tx: Db, id: number) {
  const [item] = await tx.select().from(unmatchedUsageEvents).where(eq(unmatchedUsageEvents.id, id)).for("update");
  if (!item) throw new BillingError("not_found", `Unmatched event ${id} does not exist`);
  if (item.status !== "open") throw new BillingError("conflict", `Unmatched event ${id} was already ${item.status} by ${item.resolvedBy ?? "someone"}`);
  return item;
}

/**
 * Counts an unmatched event into a mapping, in the period it happened, and marks it assigned: one
 * transaction with the item locked, so two ops assigning it at once count it once (the second gets 409).
 */
export async function assignUnmatchedEvent(db: Db, input: z.input<typeof assignUnmatchedSchema>, ctx: { actor: string }) {
  const { id, phoneMappingId } = parseInput(assignUnmatchedSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const item = await lockOpenItem(tx as unknown as Db, id);
      const [mapping] = await tx.select().from(tenantPhoneMappings).where(eq(tenantPhoneMappings.id, phoneMappingId));
      if (!mapping) throw new BillingError("not_found", "That mapping does not exist");
      if (mapping.numberType !== "both" && mapping.numberType !== item.usageType) {
        throw new BillingError("invalid_input", `That mapping carries ${mapping.numberType} only; this event is ${item.usageType}`);
      }
      const result = await writeUsageEvent(tx as unknown as Db, ledgerEventOf(item, mapping, ctx.actor));
      await tx
        .update(unmatchedUsageEvents)
        .set({ status: "assigned", resolvedAt: sql`now()`, resolvedBy: ctx.actor, assignedMappingId: mapping.id, usageLogId: result.logId })
        .where(and(eq(unmatchedUsageEvents.id, id), eq(unmatchedUsageEvents.status, "open")));
      await tx.insert(analyticsEvents).values({
        eventType: "unmatched_assigned",
        tenantId: mapping.tenantId,
        actor: ctx.actor,
        properties: { unmatched_id: id, mapping_id: mapping.id, log_id: result.logId, counted: result.counted, provider_sid: item.providerSid },
      });
      return { tenantId: mapping.tenantId, counted: result.counted, logId: result.logId, billingPeriodStart: result.billingPeriodStart };
    });
  } catch (err) {
    rethrowAsBillingError(err);
  }
}

export async function dismissUnmatchedEvent(db: Db, input: z.input<typeof dismissUnmatchedSchema>, ctx: { actor: string }) {
  const { id, reason } = parseInput(dismissUnmatchedSchema, input);
  try {
    return await db.transaction(async (tx) => {
      await lockOpenItem(tx as unknown as Db, id);
      await tx
        .update(unmatchedUsageEvents)
        .set({ status: "dismissed", resolvedAt: sql`now()`, resolvedBy: ctx.actor, resolutionReason: reason })
        .where(eq(unmatchedUsageEvents.id, id));
      await tx.insert(analyticsEvents).values({ eventType: "unmatched_dismissed", actor: ctx.actor, properties: { unmatched_id: id, reason } });
      return { id };
    });
  } catch (err) {
    rethrowAsBillingError(err);
  }
}
