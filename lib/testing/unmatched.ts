// Test support: a call kept in the unmatched inbox exactly as the webhook path keeps one (the same
// input, reason and ledger event as countOrKeepWebhookUsageEvent builds).
import type { Db } from "@/db/client";
import { recordUnmatchedUsageEvent, type UnmatchedUsageEventResult } from "@/lib/billing/unmatched";
import { unmatchedInputOf } from "@/lib/billing/webhook-usage";

export async function keepUnmatchedCall(
  db: Db,
  call: { phoneNumber: string; callSid: string; eventAt?: Date; voiceSeconds?: number; payload?: Record<string, unknown> },
): Promise<UnmatchedUsageEventResult & { kept: true }> {
  const kept = await recordUnmatchedUsageEvent(
    db,
    unmatchedInputOf({
      usageType: "voice",
      direction: "inbound",
      phoneNumber: call.phoneNumber,
      providerSid: call.callSid,
      eventAt: call.eventAt ?? new Date(),
      voiceSeconds: call.voiceSeconds ?? 0,
      metadata: { direction: "inbound" },
      payload: call.payload ?? {},
    }),
  );
  if (!kept.kept) throw new Error(`call ${call.callSid} was counted, not kept`);
  return kept;
}
