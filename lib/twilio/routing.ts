// Which mapping a usage event belongs to: the one that held the tenant's number (To for calls and
// messages it received, From for those it placed or sent; the parsers pick it) when the event happened.
import "server-only";
import type { Db } from "@/db/client";
import { findActiveMappingForNumber, type PhoneMapping } from "@/lib/billing/mapping";
import type { WebhookUsageEvent } from "@/lib/billing/webhook-usage";

export function mappingForUsageEvent(db: Db, event: WebhookUsageEvent): Promise<PhoneMapping | null> {
  return findActiveMappingForNumber(db, event.phoneNumber, event.eventAt);
}
