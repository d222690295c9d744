// Inventory: the numbers on each Twilio account (IncomingPhoneNumbers) against the active mappings.
// A number nobody's active mapping covers is billed to nobody (a revenue leak); an active mapping
// whose number is on none of the accounts bills a number the business no longer has; a number mapped
// under another SID than Twilio's is a typo or a re-purchased number.
import { isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { tenantPhoneMappings, type NumberType } from "@/db/schema";
import type { InventoryReport } from "@/lib/billing/reconciliation-runs";
import { incomingPhoneNumberPages, twilioFailure, type TwilioClient } from "../rest-client";

export interface TwilioNumber {
  accountSid: string;
  sid: string;
  phoneNumber: string;
  capabilities: { voice: boolean; sms: boolean; mms: boolean };
}

export async function readIncomingPhoneNumbers(client: TwilioClient, input: { accountSid: string; baseUrl: string }): Promise<TwilioNumber[]> {
  const numbers: TwilioNumber[] = [];
  try {
    for await (const page of incomingPhoneNumberPages(client, input.accountSid)) {
      for (const n of page) {
        const c = (n.capabilities ?? {}) as { voice?: boolean; sms?: boolean; mms?: boolean };
        numbers.push({ accountSid: input.accountSid, sid: n.sid, phoneNumber: n.phoneNumber, capabilities: { voice: !!c.voice, sms: !!c.sms, mms: !!c.mms } });
      }
    }
  } catch (err) {
    throw twilioFailure(err, { ...input, what: "the account's phone numbers (IncomingPhoneNumbers)" });
  }
  return numbers;
}

/** The onboarding form's number type for a number's capabilities. */
export function numberTypeOf(capabilities: TwilioNumber["capabilities"]): NumberType {
  const messages = capabilities.sms || capabilities.mms;
  if (capabilities.voice && !messages) return "voice";
  if (messages && !capabilities.voice) return "sms";
  return "both";
}

/**
 * Each account's report. `numbersByAccount` holds every account read; mappings missing on Twilio are
 * listed only when it holds every configured account (`everyAccount`), or a number kept on an account
 * not read would look missing.
 */
export async function inventoryOf(
  db: Db,
  numbersByAccount: ReadonlyMap<string, readonly TwilioNumber[]>,
  options: { everyAccount: boolean },
): Promise<Map<string, InventoryReport>> {
  const active = await db
    .select({ id: tenantPhoneMappings.id, tenantId: tenantPhoneMappings.tenantId, phoneNumber: tenantPhoneMappings.phoneNumber, sid: tenantPhoneMappings.twilioNumberSid })
    .from(tenantPhoneMappings)
    .where(isNull(tenantPhoneMappings.deprovisionedAt));
  const byPhone = new Map(active.map((m) => [m.phoneNumber, m]));
  const bySid = new Map(active.map((m) => [m.sid.toUpperCase(), m]));
  const onTwilio = new Set<string>();
  const reports = new Map<string, InventoryReport>();
  for (const [accountSid, numbers] of numbersByAccount) {
    const report: InventoryReport = { unmapped: [], missingOnTwilio: null, sidMismatches: [] };
    for (const n of numbers) {
      onTwilio.add(n.phoneNumber);
      onTwilio.add(n.sid.toUpperCase());
      const mapping = byPhone.get(n.phoneNumber) ?? bySid.get(n.sid.toUpperCase());
      if (!mapping) {
        report.unmapped.push({ accountSid, sid: n.sid, phoneNumber: n.phoneNumber, capabilities: n.capabilities, numberType: numberTypeOf(n.capabilities) });
      } else if (mapping.sid.toUpperCase() !== n.sid.toUpperCase() || mapping.phoneNumber !== n.phoneNumber) {
        report.sidMismatches.push({
          accountSid,
          phoneNumber: n.phoneNumber,
          twilioSid: n.sid,
          mappingSid: mapping.sid,
          mappingPhoneNumber: mapping.phoneNumber,
          tenantId: mapping.tenantId,
        });
      }
    }
    reports.set(accountSid, report);
  }
  if (options.everyAccount) {
    const missing = active
      .filter((m) => !onTwilio.has(m.phoneNumber) && !onTwilio.has(m.sid.toUpperCase()))
      .map((m) => ({ mappingId: m.id, tenantId: m.tenantId, phoneNumber: m.phoneNumber, sid: m.sid }));
    for (const report of reports.values()) report.missingOnTwilio = missing;
  }
  return reports;
}
