// The reconciliation screen (/ops/reconciliation) through the browser: the run the seed recorded with its
// drift table, exactly as the seed wrote it; a run started from the page for a chosen period against the
// fake Twilio REST API beside the server (e2e/support/fake-twilio-api.ts), its progress while it runs,
// its figures when done and the counters it moved; the inventory with its "Map" link into the prefilled
// onboarding form; and a tenant user kept out.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { fakeCall, fakeIncomingPhoneNumber, fakeMessage } from "../lib/twilio/fake-rest-api/resources";
import { TWILIO_ACCOUNT_SID as ACCOUNT } from "./support/env";
import { fakeTwilio, seededReconciliationRun, shownNumber, type SeededReconciliationRun } from "./support/reconciliation";
import { signIn } from "./support/session";
import { postSignedWebhook, sid } from "./support/twilio";

test.describe.configure({ mode: "serial" });

// The drift table's rows as ops read them, in the order the run records them (lib/twilio/reconciliation/drift.ts).
const DRIFT_LABELS: Record<string, string> = {
  calls_inbound_count: "Inbound calls",
  calls_inbound_minutes: "Inbound minutes",
  calls_outbound_count: "Outbound calls",
  calls_outbound_minutes: "Outbound minutes",
  sms_inbound_count: "Inbound SMS",
  sms_inbound_segments: "Inbound SMS segments",
  sms_outbound_count: "Outbound SMS",
  sms_outbound_segments: "Outbound SMS segments",
  mms_inbound_count: "Inbound MMS",
  mms_outbound_count: "Outbound MMS",
};

// test-tenant-123 bills in UTC: its period is the UTC month.
const TENANT = "test-tenant-123";
const NUMBER = "+12505550101";
const CALLER = "+12065550142";
/** On the fake account, mapped to nobody, voice only. */
const UNMAPPED = { sid: sid("PN", 0xe2e5ec0), phoneNumber: "+12505550177" };
/** Mapped (northwind-legal), but not on the fake account. */
const MISSING = "+12125550122";
/** Mapped (acme-dental) under another SID than the fake account's. */
const MISMATCHED = { phoneNumber: "+16045550113", twilioSid: sid("PN", 0xe2e5ec1) };
const LOST_CALL = sid("CA", 0xe2e5ec1);
const FAILED_CALL = sid("CA", 0xe2e5ec2);
const LONG_MESSAGE = sid("SM", 0xe2e5ec1);
const UNMATCHED_MESSAGE = sid("SM", 0xe2e5ec2);
const LOST_CALL_SECONDS = 125; // 3 started minutes

const cells = (row: Locator) => row.locator(":scope > td");
/** The first line of a cell (the runs table writes "by …" and "… pages" under the figure). */
const firstLine = async (cell: Locator) => (await cell.innerText()).split("\n")[0]!.trim();

/** A run's row in the runs table: Run, Period, Account, Status, Started, Read, Counted, Corrected, Unmatched. */
async function runFigures(page: Page, runId: number) {
  const row = cells(page.getByTestId(`run-${runId}`));
  return {
    period: await firstLine(row.nth(1)),
    account: await firstLine(row.nth(2)),
    status: await firstLine(row.nth(3)),
    read: shownNumber(await firstLine(row.nth(5))),
    counted: shownNumber(await firstLine(row.nth(6))),
    corrected: shownNumber(await firstLine(row.nth(7))),
    unmatched: shownNumber(await firstLine(row.nth(8))),
  };
}

/** Opens a run's "Drift and counts" and reads its drift table: label, ledger, Twilio, drift per row. */
async function driftTable(page: Page, runId: number) {
  const row = page.getByTestId(`run-${runId}`);
  await row.getByText("Drift and counts").click();
  const table = row.getByRole("table", { name: new RegExp(`^Drift of run ${runId}:`) });
  await expect(table).toBeVisible();
  const rows = await table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
  return rows.map(([label, ledger, twilio, drift]) => ({ label, ledger: shownNumber(ledger!), twilio: shownNumber(twilio!), drift: shownNumber(drift!) }));
}

const COUNTERS = ["voiceCallsCount", "voiceMinutesUsed", "voiceSecondsUsed", "smsCountUsed", "smsSegmentsUsed"] as const;

/** One number's counters of a period, from the ops usage page (the tenant expanded into its numbers). */
async function numberCounters(page: Page, period: string, phoneNumber: string) {
  await page.goto(`/ops/usage?period=${period}&tenant=${TENANT}`);
  const row = page.locator(`[data-number="${phoneNumber}"]`);
  await expect(row).toHaveCount(1);
  const out = {} as Record<(typeof COUNTERS)[number], number>;
  for (const key of COUNTERS) out[key] = shownNumber(await row.locator(`[data-counter="${key}"]`).innerText())!;
  return out;
}

let startedRunId = 0;
let mismatchedMappingSid = "";

test("ops see the seeded run with its drift table, exactly as the seed recorded it", async ({ page }) => {
  const seeded: SeededReconciliationRun = seededReconciliationRun();
  // What lib/demo/seed-reconciliation.ts gives Twilio beyond the seeded usage: 3 lost calls and 3 lost
  // messages (counted), 2 long messages (corrected), a failed call (not billed), 2 messages to a number
  // nobody holds (unmatched); afterwards the ledger differs from Twilio by those 2 messages only.
  expect(seeded).toMatchObject({ accountSid: ACCOUNT, status: "succeeded", startedBy: "seed", recordsCounted: 6, recordsCorrected: 2, recordsUnmatched: 2, recordsNotBilled: 1 });
  expect(seeded.drift.filter((d) => d.difference !== 0).map((d) => [d.metric, d.difference])).toEqual([
    ["sms_inbound_count", -2],
    ["sms_inbound_segments", -2],
  ]);

  await signIn(page, "ops");
  await page.goto("/ops/reconciliation");
  await expect(page.getByRole("heading", { name: "Reconciliation with Twilio" })).toBeVisible();
  expect(await runFigures(page, seeded.id)).toEqual({
    period: seeded.period,
    account: ACCOUNT,
    status: "succeeded",
    read: seeded.recordsRead,
    counted: 6,
    corrected: 2,
    unmatched: 2,
  });
  await expect(page.getByTestId(`run-${seeded.id}`)).toContainText("by seed");

  const shown = await driftTable(page, seeded.id);
  expect(shown).toEqual(seeded.drift.map((d) => ({ label: DRIFT_LABELS[d.metric], ledger: d.ledger, twilio: d.twilio, drift: d.difference })));
  expect(shown.find((d) => d.label === "Inbound SMS")!.drift).toBe(-2);
  await expect(page.getByTestId(`run-${seeded.id}`)).toContainText(
    `${seeded.recordsAlreadyCounted.toLocaleString("en-US")} already counted, 1 not billed by Twilio, ${seeded.recordsOutsidePeriod} of another period`,
  );

  // The seeded run's inventory: the demo's number on the account that nobody is billed for.
  const inventory = page.getByRole("region", { name: `Inventory of ${ACCOUNT}` });
  await expect(inventory).toContainText(`(run ${seeded.id},`);
  expect(seeded.inventory.unmapped.map((u) => [u.phoneNumber, u.numberType])).toEqual([["+12505550199", "both"]]);
  await expect(inventory.getByRole("listitem").filter({ hasText: "+12505550199" })).toContainText(`${seeded.inventory.unmapped[0]!.sid}voice, SMS`);
});

test("a run started from the page for a chosen period shows its progress, then its figures, and moves the counters by what Twilio billed", async ({ page, request }) => {
  const now = new Date();
  const period = now.toISOString().slice(0, 7);
  const monthStart = Date.parse(`${period}-01T00:00:00Z`);
  const callAt = new Date(Math.max(now.getTime() - 5 * 60_000, monthStart));

  // The webhooks counted the long message as one segment (outbound status callbacks carry no NumSegments).
  const callback = await postSignedWebhook(request, "/api/twilio/sms/status", { MessageSid: LONG_MESSAGE, MessageStatus: "sent", From: NUMBER, To: CALLER, NumMedia: "0" });
  expect(callback.status()).toBe(200);

  await signIn(page, "ops");
  // The account's numbers on Twilio: every active mapping, but one missing and one under another SID, plus one nobody holds.
  await page.goto("/ops/numbers?status=active");
  const mapped = (await page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")))).map(
    ([phoneNumber, , numberSid]) => ({ phoneNumber: phoneNumber!, sid: numberSid! }),
  );
  expect(mapped.map((m) => m.phoneNumber)).toEqual(expect.arrayContaining([NUMBER, MISSING, MISMATCHED.phoneNumber]));
  mismatchedMappingSid = mapped.find((m) => m.phoneNumber === MISMATCHED.phoneNumber)!.sid;
  const incomingPhoneNumbers = [
    ...mapped
      .filter((m) => m.phoneNumber !== MISSING)
      .map((m) => fakeIncomingPhoneNumber({ accountSid: ACCOUNT, phoneNumber: m.phoneNumber, sid: m.phoneNumber === MISMATCHED.phoneNumber ? MISMATCHED.twilioSid : m.sid })),
    fakeIncomingPhoneNumber({ accountSid: ACCOUNT, ...UNMAPPED, capabilities: { voice: true, sms: false, mms: false } }),
  ];
  await fakeTwilio.setAccount({
    calls: [
      // Lost: its status callback never arrived.
      fakeCall({ sid: LOST_CALL, accountSid: ACCOUNT, from: CALLER, to: NUMBER, startTime: callAt, durationSeconds: LOST_CALL_SECONDS }),
      // Failed: Twilio bills nothing.
      fakeCall({ sid: FAILED_CALL, accountSid: ACCOUNT, from: NUMBER, to: CALLER, startTime: callAt, durationSeconds: 0, status: "failed", direction: "outbound-api" }),
    ],
    messages: [
      fakeMessage({ sid: LONG_MESSAGE, accountSid: ACCOUNT, from: NUMBER, to: CALLER, dateSent: now, numSegments: 3, direction: "outbound-api" }),
      fakeMessage({ sid: UNMATCHED_MESSAGE, accountSid: ACCOUNT, from: CALLER, to: UNMAPPED.phoneNumber, dateSent: callAt }),
    ],
    incomingPhoneNumbers,
  });
  const before = await numberCounters(page, period, NUMBER);

  // The run reads every page, then waits on Twilio's Usage Records (held): it stays running meanwhile.
  await fakeTwilio.holdUsageRecords();
  try {
    await page.goto("/ops/reconciliation");
    const form = page.getByRole("form", { name: "Start a reconciliation" });
    await form.getByLabel("Billing period").fill(period);
    await form.getByLabel("Account").selectOption(ACCOUNT);
    await form.getByRole("button", { name: "Reconcile with Twilio" }).click();
    const toast = page.getByText(new RegExp(`^Reconciliation of ${period} started \\(run \\d+\\)$`));
    await expect(toast).toBeVisible();
    startedRunId = Number(/\(run (\d+)\)/.exec(await toast.innerText())![1]);

    await expect(page.getByRole("status").filter({ hasText: "A run is in progress" })).toBeVisible();
    // Progress: the page refreshes itself while the run goes on; every record is read and written before the drift.
    await expect.poll(() => runFigures(page, startedRunId)).toEqual({ period, account: ACCOUNT, status: "running", read: 4, counted: 1, corrected: 1, unmatched: 1 });
    await expect(cells(page.getByTestId(`run-${startedRunId}`)).nth(5)).toContainText(/[1-9]\d* pages/);
    await expect.poll(async () => (await fakeTwilio.state()).heldRequests).toBeGreaterThan(0);
  } finally {
    await fakeTwilio.releaseUsageRecords();
  }

  await expect.poll(() => runFigures(page, startedRunId)).toEqual({ period, account: ACCOUNT, status: "succeeded", read: 4, counted: 1, corrected: 1, unmatched: 1 });
  await expect(page.getByRole("status").filter({ hasText: "A run is in progress" })).toHaveCount(0);
  await expect(page.getByTestId(`run-${startedRunId}`)).toContainText("by user:ops@example.com");
  await expect(page.getByTestId(`run-${startedRunId}`)).toContainText("0 already counted, 1 not billed by Twilio, 0 of another period");

  // Twilio's side of the drift is the fake's records; every row's drift is ledger minus Twilio.
  const drift = await driftTable(page, startedRunId);
  const twilioSide = Object.fromEntries(drift.map((d) => [d.label, d.twilio]));
  expect(twilioSide).toEqual({
    "Inbound calls": 1,
    "Inbound minutes": 3,
    "Outbound calls": 0,
    "Outbound minutes": 0,
    "Inbound SMS": 1,
    "Inbound SMS segments": 1,
    "Outbound SMS": 1,
    "Outbound SMS segments": 3,
    "Inbound MMS": 0,
    "Outbound MMS": 0,
  });
  for (const d of drift) expect({ label: d.label, drift: d.drift }).toEqual({ label: d.label, drift: d.ledger! - d.twilio! });

  // The app read the fake's lists (every answer a 200).
  const asked = (await fakeTwilio.state()).requests;
  for (const list of ["IncomingPhoneNumbers.json", "Calls.json", "Messages.json", "Usage/Records.json"]) {
    expect(asked.filter((r) => r.path === `/2010-04-01/Accounts/${ACCOUNT}/${list}`).length, list).toBeGreaterThan(0);
  }
  expect(asked.filter((r) => r.status !== 200)).toEqual([]);

  // The lost call counted once (1 call, 3 minutes, 125 s), the long message corrected by 2 segments (no new message).
  const after = await numberCounters(page, period, NUMBER);
  expect({
    voiceCallsCount: after.voiceCallsCount - before.voiceCallsCount,
    voiceMinutesUsed: after.voiceMinutesUsed - before.voiceMinutesUsed,
    voiceSecondsUsed: after.voiceSecondsUsed - before.voiceSecondsUsed,
    smsCountUsed: after.smsCountUsed - before.smsCountUsed,
    smsSegmentsUsed: after.smsSegmentsUsed - before.smsSegmentsUsed,
  }).toEqual({ voiceCallsCount: 1, voiceMinutesUsed: 3, voiceSecondsUsed: LOST_CALL_SECONDS, smsCountUsed: 0, smsSegmentsUsed: 2 });

  // A second run of the period (every configured account, the form's default) counts and corrects nothing more.
  await page.goto("/ops/reconciliation");
  const form = page.getByRole("form", { name: "Start a reconciliation" });
  await form.getByLabel("Billing period").fill(period);
  await form.getByRole("button", { name: "Reconcile with Twilio" }).click();
  const again = page.getByText(new RegExp(`^Reconciliation of ${period} started \\(run \\d+\\)$`));
  await expect(again).toBeVisible();
  const againId = Number(/\(run (\d+)\)/.exec(await again.innerText())![1]);
  expect(againId).toBeGreaterThan(startedRunId);
  await expect.poll(() => runFigures(page, againId)).toEqual({ period, account: ACCOUNT, status: "succeeded", read: 4, counted: 0, corrected: 0, unmatched: 1 });
  await expect(page.getByTestId(`run-${againId}`)).toContainText("2 already counted, 1 not billed by Twilio, 0 of another period");
  expect(await numberCounters(page, period, NUMBER)).toEqual(after);
  startedRunId = againId;

  // The correction is in the audit log: an adjustment of the message by reconciliation, naming Twilio's value.
  await page.goto(`/ops/logs?kind=adjustment&tenant=${TENANT}&number=${encodeURIComponent(NUMBER)}`);
  const correction = page.getByRole("row").filter({ hasText: "reconciliation: Twilio's REST API gives this message 3 segments; the ledger had 1" });
  await expect(correction).toHaveCount(1);
  await expect(correction).toContainText("sms outbound adjustment0 messages (2 seg.)");
  await correction.getByRole("link").first().click();
  await expect(page.getByRole("main")).toContainText(LONG_MESSAGE);
});

test("the inventory lists the number nobody is billed for, and its Map opens the onboarding form prefilled from Twilio", async ({ page }) => {
  expect(startedRunId).toBeGreaterThan(0);
  await signIn(page, "ops");
  await page.goto("/ops/reconciliation");
  const inventory = page.getByRole("region", { name: `Inventory of ${ACCOUNT}` });
  await expect(inventory).toContainText(`(run ${startedRunId},`);
  await expect(inventory).toContainText("Numbers on Twilio billed to nobody (1)");
  const unmapped = inventory.getByRole("listitem").filter({ hasText: UNMAPPED.phoneNumber });
  await expect(unmapped).toContainText(`${UNMAPPED.phoneNumber}${UNMAPPED.sid}voice`);
  await expect(inventory.getByRole("listitem").filter({ hasText: "+12505550199" })).toHaveCount(0);
  await expect(inventory.getByRole("listitem").filter({ hasText: MISSING })).toContainText(`${MISSING} mapped to northwind-legal`);
  await expect(inventory.getByRole("listitem").filter({ hasText: MISMATCHED.phoneNumber })).toContainText(
    `${MISMATCHED.phoneNumber} is ${MISMATCHED.twilioSid} on Twilio; acme-dental's mapping holds ${MISMATCHED.phoneNumber} as ${mismatchedMappingSid}`,
  );

  await unmapped.getByRole("link", { name: "Map" }).click();
  await expect(page).toHaveURL(/\/ops\/numbers\/onboard\?/);
  const section = page.getByRole("region", { name: "Map Number for Billing" });
  await expect(section.getByLabel("Twilio Number SID")).toHaveValue(UNMAPPED.sid);
  await expect(section.getByLabel("Phone Number (E.164)")).toHaveValue(UNMAPPED.phoneNumber);
  await expect(section.getByLabel("Number Type")).toHaveValue("voice");
});

test("a tenant user cannot open /ops/reconciliation: 403 and nothing of it", async ({ page }) => {
  await signIn(page, "tenant");
  const response = await page.goto("/ops/reconciliation");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("403 · Not allowed")).toBeVisible();
  await expect(page.getByRole("button", { name: "Reconcile with Twilio" })).toHaveCount(0);
  await expect(page.getByText(ACCOUNT)).toHaveCount(0);
  await expect(page.getByText("Drift and counts")).toHaveCount(0);
});
