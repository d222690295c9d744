// Ops browse deeper: a tenant expands into its numbers (which add up to its row and equal its CSV), the
// previous period is one click away, the log's filters live in the URL and hold on every page (and in
// its CSV), and an unmatched message is dismissed only with a reason.
import { expect, test, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { signIn } from "./support/session";
import { postSignedWebhook, sid } from "./support/twilio";

test.describe.configure({ mode: "serial" });

const period = new Date().toISOString().slice(0, 7);
const TENANT = "test-tenant-123";
const COUNTERS = [
  ["voiceMinutesUsed", "voice_minutes_used"],
  ["voiceCallsCount", "voice_calls_count"],
  ["voiceSecondsUsed", "voice_seconds_used"],
  ["smsCountUsed", "sms_count_used"],
  ["smsSentCount", "sms_sent_count"],
  ["smsReceivedCount", "sms_received_count"],
  ["smsSegmentsUsed", "sms_segments_used"],
] as const;

const numberIn = async (page: Page, selector: string) => Number((await page.locator(selector).innerText()).replaceAll(",", ""));

test("a tenant expands into its numbers: they add up to its row and equal its CSV; the previous period is one click away", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto(`/ops/usage?period=${period}`);
  // test-tenant-123 bills in UTC, so its current period is this UTC month on every day of it.
  await page.locator(`[data-tenant="${TENANT}"]`).getByRole("link", { name: new RegExp(TENANT) }).click();
  await expect(page).toHaveURL(new RegExp(`tenant=${TENANT}`));
  await expect(page.getByRole("heading", { name: `${TENANT}: per number` })).toBeVisible();

  const csv = await page.request.get(`/api/usage/export?period=${period}&tenant_id=${TENANT}`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-disposition"]).toBe(`attachment; filename="usage-${period}-${TENANT}.csv"`);
  const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([TENANT]));
  for (const row of rows) {
    for (const [key, column] of COUNTERS) {
      expect({ number: row.phone_number, column, shown: await numberIn(page, `[data-number="${row.phone_number}"] [data-counter="${key}"]`) }).toEqual({
        number: row.phone_number,
        column,
        shown: Number(row[column]),
      });
    }
  }
  for (const [key, column] of COUNTERS) {
    const tenantRow = await numberIn(page, `[data-tenant="${TENANT}"] [data-counter="${key}"]`);
    expect({ column, tenantRow }).toEqual({ column, tenantRow: rows.reduce((n, r) => n + Number(r[column]), 0) });
  }

  // The per-number link opens the log filtered on that tenant and number (a number with usage: the
  // CSV's order is by mapping id, and other specs leave numbers with empty counters behind).
  const first = rows.find((r) => Number(r.voice_calls_count) + Number(r.sms_count_used) > 0)!.phone_number!;
  await page.locator(`[data-number="${first}"]`).getByRole("link", { name: first }).click();
  await expect(page).toHaveURL(new RegExp(`/ops/logs\\?tenant=${TENANT}&number=${encodeURIComponent(first)}$`));
  await expect(page.locator("tbody tr td:nth-child(5)").first()).toHaveText(first);
  const numbers = await page.locator("tbody tr td:nth-child(5)").allInnerTexts();
  expect(numbers.length).toBeGreaterThan(0);
  expect(new Set(numbers)).toEqual(new Set([first]));

  // Last month, keeping the expanded tenant.
  await page.goto(`/ops/usage?period=${period}&tenant=${TENANT}`);
  const [y, m] = period.split("-").map(Number) as [number, number];
  const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
  await page.getByRole("link", { name: `Previous period, ${previous}` }).click();
  await expect(page).toHaveURL(new RegExp(`period=${previous}`));
  await expect(page).toHaveURL(new RegExp(`tenant=${TENANT}`));
  await expect(page.getByRole("heading", { name: new RegExp(`Usage for ${previous}`) })).toBeVisible();
  const lastMonth = parse(await (await page.request.get(`/api/usage/export?period=${previous}`)).text(), { columns: true }) as Record<string, string>[];
  expect(await numberIn(page, '[data-total="smsCountUsed"]')).toBe(lastMonth.reduce((n, r) => n + Number(r.sms_count_used), 0));
});

test("the log's filters live in the URL, hold on every page, and give the same entries as its CSV", async ({ page, browser }) => {
  await signIn(page, "ops");
  await page.goto("/ops/logs");
  const filters = page.getByRole("form", { name: "Filter the audit log" });
  await filters.getByLabel("Tenant").fill("acme-dental");
  await filters.getByLabel("Usage type").selectOption("sms");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/tenant=acme-dental/);
  await expect(page).toHaveURL(/type=sms/);
  const expectFiltered = async () => {
    const tenants = await page.locator("tbody tr td:nth-child(4)").allInnerTexts();
    const kinds = await page.locator("tbody tr td:nth-child(6)").allInnerTexts();
    expect(tenants).toHaveLength(50);
    expect(new Set(tenants)).toEqual(new Set(["acme-dental"]));
    // Messages show their channel (SMS, MMS, WhatsApp); no call is among them.
    expect(kinds.filter((k) => !/^(sms|mms|whatsapp)\b/.test(k))).toEqual([]);
  };
  await expectFiltered();
  await page.getByRole("link", { name: "Older →" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page).toHaveURL(/tenant=acme-dental/);
  await expectFiltered();
  const secondPage = await page.locator("tbody tr td:first-child a").allInnerTexts();

  // The URL is the view: another ops session opening it sees the same entries.
  const other = await browser.newPage();
  await signIn(other, "ops");
  await other.goto(page.url());
  await expect(other.locator("tbody tr td:first-child a")).toHaveText(secondPage);
  await other.close();

  // One provider SID: one entry, and the CSV of that view is that entry.
  const providerSid = (await page.locator("tbody tr").first().locator("td").nth(7).innerText()).trim();
  await page.goto(`/ops/logs?sid=${providerSid}`);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  const id = await page.locator("tbody tr td:first-child a").innerText();
  const href = await page.getByRole("link", { name: "Download these entries as CSV" }).getAttribute("href");
  expect(href).toBe(`/api/usage/logs/export?sid=${providerSid}`);
  const csv = parse(await (await page.request.get(href!)).text(), { columns: true }) as Record<string, string>[];
  expect(csv.map((r) => [r.id, r.provider_sid, r.tenant_id])).toEqual([[id, providerSid, "acme-dental"]]);
});

test("an unmatched message is dismissed only with a reason, leaves the open count, and shows who and why", async ({ page, request }) => {
  const messageSid = sid("SM", 0xe2e0002);
  const res = await postSignedWebhook(request, "/api/twilio/sms/inbound", {
    MessageSid: messageSid,
    From: "+15555550100",
    To: "+12505551998",
    Body: "hello",
    NumSegments: "1",
  });
  expect(res.status()).toBe(200);
  await signIn(page, "ops");
  await page.goto("/ops/unmatched");
  const badge = page.getByRole("navigation", { name: "Main" }).getByLabel(/open unmatched events/);
  const openBefore = Number(await badge.innerText());
  expect(openBefore).toBeGreaterThan(0);
  const row = page.getByRole("row", { name: new RegExp(messageSid) });
  await expect(row.getByText(/No mapping of \+12505551998 yet/)).toBeVisible();
  await row.getByRole("button", { name: "Dismiss" }).click();
  await expect(row.getByText(/reason is required/i)).toBeVisible();
  await row.getByLabel(/Reason to dismiss/).fill("e2e: carrier test message");
  await row.getByRole("button", { name: "Dismiss" }).click();
  await expect(page.getByText(/^Event \d+ dismissed$/)).toBeVisible();
  await expect(page.getByRole("row", { name: new RegExp(messageSid) })).toHaveCount(0);
  if (openBefore > 1) await expect(badge).toHaveText(String(openBefore - 1));
  else await expect(badge).toHaveCount(0);

  await page.getByRole("navigation", { name: "Status" }).getByRole("link", { name: "Dismissed" }).click();
  await expect(page).toHaveURL(/status=dismissed/);
  await expect(page.getByRole("row", { name: new RegExp(messageSid) })).toContainText("dismissed by user:ops@example.com: e2e: carrier test message");
});
