// The tenant portal: a tenant user sees their own usage and log, downloads their own CSV, and gets 404
// for another tenant's export, page and log entry.
import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { signIn } from "./support/session";

const period = new Date().toISOString().slice(0, 7);

test("a tenant user sees their own usage, numbers, chart and log", async ({ page }) => {
  await signIn(page, "tenant");
  await expect(page.getByRole("heading", { name: /usage for/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /daily voice minutes and messages/ })).toBeVisible();
  await expect(page.getByText("+1250555010").first()).toBeVisible();
  await expect(page.getByText("+1604555")).toHaveCount(0);
  const csv = await page.request.get(`/api/usage/export?period=${period}`);
  expect(csv.status()).toBe(200);
  const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set(["test-tenant-123"]));
  const minutes = rows.reduce((n, r) => n + Number(r.voice_minutes_used), 0);
  await expect(page.locator('[data-total="voiceMinutesUsed"]')).toHaveText(minutes.toLocaleString("en-US"));

  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/usage\/logs$/);
  const tenants = await page.locator("tbody tr td:nth-child(4)").allInnerTexts();
  expect(tenants.length).toBeGreaterThan(0);
  expect(new Set(tenants)).toEqual(new Set(["test-tenant-123"]));
});

test("another tenant's export, page and log entry are 404 for a tenant user", async ({ page, browser }) => {
  // Find an entry of acme-dental as acme's own user.
  const acme = await browser.newPage();
  await signIn(acme, "acme");
  await acme.goto("/usage/logs");
  const foreignId = await acme.locator("tbody tr td:first-child a").first().innerText();
  await acme.close();

  await signIn(page, "tenant");
  expect((await page.request.get(`/api/usage/export?period=${period}&tenant_id=acme-dental`)).status()).toBe(404);
  expect((await page.request.get(`/api/usage/logs/export?tenant=acme-dental`)).status()).toBe(404);
  expect((await page.goto(`/usage/logs/${foreignId}`))?.status()).toBe(404);
  expect((await page.goto("/usage/logs?tenant=acme-dental"))?.status()).toBe(404);
  expect((await page.goto("/usage?tenant_id=acme-dental"))?.status()).toBe(404);
  expect((await page.goto("/ops/logs"))?.status()).toBe(403);
  // Their own entry opens.
  await page.goto("/usage/logs");
  const ownId = await page.locator("tbody tr td:first-child a").first().innerText();
  expect((await page.goto(`/usage/logs/${ownId}`))?.status()).toBe(200);
});
