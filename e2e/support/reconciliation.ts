// What the reconciliation spec needs besides pages: the run the seed recorded (written by the server
// script, dump-seeded-reconciliation.ts) and the controls of the fake Twilio REST API (fake-twilio-api.ts).
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FakeCallResource, FakeIncomingPhoneNumberResource, FakeMessageResource } from "../../lib/twilio/fake-rest-api/resources";
import { E2E_STATE_DIR, TWILIO_API_URL } from "./env";

export interface SeededReconciliationRun {
  id: number;
  accountSid: string;
  period: string;
  status: string;
  startedBy: string;
  recordsRead: number;
  recordsCounted: number;
  recordsCorrected: number;
  recordsUnmatched: number;
  recordsAlreadyCounted: number;
  recordsNotBilled: number;
  recordsOutsidePeriod: number;
  drift: { metric: string; ledger: number; twilio: number | null; difference: number | null }[];
  inventory: { unmapped: { sid: string; phoneNumber: string; numberType: string }[] };
}

export function seededReconciliationRun(): SeededReconciliationRun {
  return JSON.parse(readFileSync(path.join(E2E_STATE_DIR, "seeded-reconciliation.json"), "utf8")) as SeededReconciliationRun;
}

async function control<T>(method: "GET" | "PUT" | "POST", endpoint: string, body?: unknown): Promise<T> {
  const res = await fetch(`${TWILIO_API_URL}/__e2e/${endpoint}`, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake Twilio API: ${method} ${endpoint} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export const fakeTwilio = {
  /** Replaces what the e2e account holds on "Twilio". */
  setAccount: (records: { calls: FakeCallResource[]; messages: FakeMessageResource[]; incomingPhoneNumbers: FakeIncomingPhoneNumberResource[] }) =>
    control<{ calls: number; messages: number; incomingPhoneNumbers: number }>("PUT", "account", records),
  /** Usage Records requests wait until released: a run reads every page, then stays running before its drift. */
  holdUsageRecords: () => control<{ holding: boolean }>("POST", "hold-usage-records"),
  releaseUsageRecords: () => control<{ released: number }>("POST", "release-usage-records"),
  state: () => control<{ heldRequests: number; requests: { method: string; path: string; query: string; status: number }[] }>("GET", "state"),
};

/** "1,234" / "+2" / "–" as shown in the page's tables. */
export function shownNumber(text: string): number | null {
  const t = text.trim();
  return t === "–" ? null : Number(t.replaceAll(",", "").replace(/^\+/, ""));
}
