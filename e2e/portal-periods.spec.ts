// The tenant portal over time: last month is one click away and its totals equal the tenant's own CSV;
// a number opens the tenant's own log filtered on it, whose CSV holds the same entries; a malformed
// period is a message, not an error page.
import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { signIn } from "./support/session";

const period = new Date().toISOString().slice(0, 7);
const [y, m] = period.split("-").map(Number) as [number, number];
const previous = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
const shown = (text: string) => Number(text.replaceAll(",", ""));

test("a tenant user opens last month: its totals equal their own CSV of it, and the current period is one click back", async ({ page }) => {
  await signIn(page, "tenant");
  await expect(page.getByRole("heading", { name: new RegExp(`usage for ${period}`) })).toContainText("(current period)");
  // No link past the current period.
  await expect(page.getByRole("link", { name: /^Next period/ })).toHaveCount(0);
  await page.getByRole("link", { name: `Previous period, ${previous}` }).click();
  await expect(page).toHaveURL(new RegExp(`/usage\\?period=${previous}$`));
  await expect(page.getByRole("heading", { name: new RegExp(`usage for ${previous}`) })).toBeVisible();
  await expect(page.getByRole("img", { name: /daily voice minutes and messages/ })).toBeVisible();

  const csv = await page.request.get(`/api/usage/export?period=${previous}`);
  expect(csv.status()).toBe(200);
  const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set(["test-tenant-123"]));
  for (const [key, column] of [
    ["voiceMinutesUsed", "voice_minutes_used"],
    ["voiceCallsCount", "voice_calls_count"],
    ["smsCountUsed", "sms_count_used"],
    ["smsSegmentsUsed", "sms_segments_used"],
  ] as const) {
    const total = shown(await page.locator(`[data-total="${key}"]`).innerText());
    expect({ column, total }).toEqual({ column, total: rows.reduce((n, r) => n + Number(r[column]), 0) });
  }
  await page.getByRole("link", { name: `Next period, ${period}` }).click();
  await expect(page.getByRole("heading", { name: new RegExp(`usage for ${period}`) })).toBeVisible();

  await page.goto("/usage?period=2025-13");
  await expect(page.getByRole("alert").filter({ hasText: "Period must be a month written YYYY-MM" })).toBeVisible();
});

test("a number opens the tenant's own log filtered on it, and that view's CSV holds the same entries", async ({ page }) => {
  await signIn(page, "tenant");
  const number = "+12505550102";
  await page.locator(`[data-number="${number}"]`).getByRole("link", { name: number }).click();
  await expect(page).toHaveURL(/\/usage\/logs\?number=%2B12505550102$/);
  const numbers = await page.locator("tbody tr td:nth-child(5)").allInnerTexts();
  expect(numbers).toHaveLength(50);
  expect(new Set(numbers)).toEqual(new Set([number]));
  const ids = await page.locator("tbody tr td:first-child a").allInnerTexts();

  const href = await page.getByRole("link", { name: "Download these entries as CSV" }).getAttribute("href");
  expect(href).toBe("/api/usage/logs/export?number=%2B12505550102");
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
  expect(new Set(rows.map((r) => `${r.tenant_id} ${r.phone_number}`))).toEqual(new Set([`test-tenant-123 ${number}`]));
  // Newest first, like the page: the CSV starts with the page's entries.
  expect(rows.slice(0, ids.length).map((r) => r.id)).toEqual(ids);

  // A number of another tenant shows nothing, not their entries.
  await page.goto("/usage/logs?number=%2B16045550111");
  await expect(page.getByText("No log entries match these filters.")).toBeVisible();
});
