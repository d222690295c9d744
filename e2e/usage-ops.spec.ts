// Ops browse usage (the page's totals equal the invoicing CSV), page through the audit log, open an
// entry, post an adjustment, and resolve an unmatched call that arrived by a signed webhook.
import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { pickTenant, signIn } from "./support/session";
import { postSignedWebhook, sid } from "./support/twilio";

test.describe.configure({ mode: "serial" });

const period = new Date().toISOString().slice(0, 7);

test("the usage page's totals equal the CSV export of the same period", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto(`/ops/usage?period=${period}`);
  await expect(page.getByRole("heading", { name: new RegExp(`Usage for ${period}`) })).toBeVisible();
  const csv = await page.request.get(`/api/usage/export?period=${period}`);
  expect(csv.status()).toBe(200);
  const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBeGreaterThan(0);
  const sum = (col: string) => rows.reduce((n, r) => n + Number(r[col]), 0);
  const shown = async (key: string) => Number((await page.locator(`[data-total="${key}"]`).first().innerText()).replaceAll(",", ""));
  expect(await shown("voiceMinutesUsed")).toBe(sum("voice_minutes_used"));
  expect(await shown("voiceCallsCount")).toBe(sum("voice_calls_count"));
  expect(await shown("smsCountUsed")).toBe(sum("sms_count_used"));
  expect(await shown("smsSegmentsUsed")).toBe(sum("sms_segments_used"));

  // An empty period: no rows, header only in the CSV.
  await page.goto("/ops/usage?period=2001-01");
  await expect(page.getByText("No usage counted in 2001-01.")).toBeVisible();
  const empty = await page.request.get("/api/usage/export?period=2001-01");
  expect((await empty.text()).trim().split("\n")).toHaveLength(1);
  const bad = await page.request.get("/api/usage/export?period=2001-13");
  expect(bad.status()).toBe(400);
});

test("ops page through the audit log by keyset and open an entry's metadata", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/logs?tenant=test-tenant-123");
  const firstIds = await page.locator("tbody tr td:first-child a").allInnerTexts();
  expect(firstIds).toHaveLength(50);
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/after=/);
  const secondIds = await page.locator("tbody tr td:first-child a").allInnerTexts();
  expect(secondIds).toHaveLength(50);
  expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
  await page.getByRole("link", { name: "← Newer" }).click();
  await expect(page.locator("tbody tr td:first-child a")).toHaveText(firstIds);
  await page.getByRole("link", { name: firstIds[0]! }).click();
  await expect(page.getByRole("heading", { name: `Log entry ${firstIds[0]}` })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Metadata" })).toBeVisible();
  await page.goto("/ops/logs?type=fax");
  await expect(page.getByRole("alert").filter({ hasText: "Usage type must be voice or sms" })).toBeVisible();
});

test("an adjustment moves the counter and appears in the log with actor and reason", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto(`/ops/usage?period=${period}&tenant=test-tenant-123`);
  const before = Number((await page.locator('tr:has-text("All tenants") [data-total="smsCountUsed"]').innerText()).replaceAll(",", ""));
  const form = page.getByRole("region", { name: /Post an adjustment/ });
  await form.getByLabel("Of").selectOption("sms");
  await form.getByLabel("Kind").selectOption("debit");
  await form.getByLabel("Quantity").fill("3");
  await form.getByRole("button", { name: "Post adjustment" }).click();
  await expect(form.getByText(/reason is required/i)).toBeVisible();
  await form.getByLabel("Reason (required)").fill("e2e carrier reconciliation");
  await form.getByRole("button", { name: "Post adjustment" }).click();
  await expect(page.getByText(/Adjustment recorded as log entry/)).toBeVisible();
  await page.reload();
  await expect(page.locator('tr:has-text("All tenants") [data-total="smsCountUsed"]')).toHaveText((before + 3).toLocaleString("en-US"));
  await page.goto("/ops/logs?kind=adjustment");
  await expect(page.getByText("user:ops@example.com: e2e carrier reconciliation")).toBeVisible();
});

test("an unmatched call is kept, counted once when assigned, and leaves the inbox", async ({ page, request }) => {
  const callSid = sid("CA", 0xe2e0001);
  const params = {
    CallSid: callSid,
    CallStatus: "completed",
    CallDuration: "95",
    Direction: "inbound",
    From: "+15555550100",
    To: "+12505551999",
    Timestamp: new Date().toUTCString(),
  };
  // The invoicing CSV of the call's period (northwind-legal bills in New York time): the new number's
  // counter, and every tenant's calls and minutes together.
  const callPeriod = new Intl.DateTimeFormat("en-CA", { timeZone: "America/New_York", year: "numeric", month: "2-digit" }).format(new Date());
  const counters = async () => {
    const csv = await page.request.get(`/api/usage/export?period=${callPeriod}`);
    expect(csv.status()).toBe(200);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    return {
      number: rows
        .filter((r) => r.phone_number === "+12505551999")
        .map((r) => ({ tenant: r.tenant_id, calls: Number(r.voice_calls_count), minutes: Number(r.voice_minutes_used), seconds: Number(r.voice_seconds_used) })),
      calls: rows.reduce((n, r) => n + Number(r.voice_calls_count), 0),
      minutes: rows.reduce((n, r) => n + Number(r.voice_minutes_used), 0),
    };
  };
  const res = await postSignedWebhook(request, "/api/twilio/voice/status", params);
  expect(res.status()).toBe(200);
  await signIn(page, "ops");
  const before = await counters();
  expect(before.number).toEqual([]); // kept unmatched: nothing counted yet
  // Map the number, then assign the kept call to it.
  await page.goto("/ops/numbers/onboard");
  const section = page.getByRole("region", { name: "Map Number for Billing" });
  await pickTenant(section, "Tenant ID", "northwind-legal");
  await section.getByLabel("Twilio Number SID").fill(sid("PN", 0xe2e0001));
  await section.getByLabel("Phone Number (E.164)").fill("+12505551999");
  await section.getByRole("button", { name: "Map Number for Billing" }).click();
  await expect(section.getByTestId("evidence-panel")).toContainText("✅ Mapped +12505551999");
  expect((await counters()).number).toEqual([{ tenant: "northwind-legal", calls: 0, minutes: 0, seconds: 0 }]);

  await page.goto("/ops/unmatched");
  await expect(page.getByRole("link", { name: /Unmatched/ }).getByLabel(/open unmatched events/)).toBeVisible();
  const row = page.getByRole("row", { name: new RegExp(callSid) });
  await row.getByRole("button", { name: "Assign" }).click();
  await expect(page.getByText(/counted to northwind-legal/)).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(callSid) })).toHaveCount(0);

  // Twilio retries the callback: still counted once.
  expect((await postSignedWebhook(request, "/api/twilio/voice/status", params)).status()).toBe(200);
  await page.goto(`/ops/logs?sid=${callSid}`);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(page.locator("tbody tr")).toContainText("2 minutes");
  const after = await counters();
  expect(after.number).toEqual([{ tenant: "northwind-legal", calls: 1, minutes: 2, seconds: 95 }]);
  expect({ calls: after.calls - before.calls, minutes: after.minutes - before.minutes }).toEqual({ calls: 1, minutes: 2 });
});
