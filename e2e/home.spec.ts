import { expect, test } from "@playwright/test";

test("the home page says what the app is and links to sign-in; health answers", async ({ page, request }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "billing-map" })).toBeVisible();
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true, database: "pglite" });
});

test("anonymous visitors to the console are sent to sign-in and come back after it", async ({ page }) => {
  await page.goto("/ops/numbers");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fops%2Fnumbers$/);
  await page.getByLabel("Email").fill("ops@example.com");
  await page.getByLabel("Password").fill("ops-demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/ops\/numbers$/);
  await expect(page.getByRole("heading", { name: "Numbers" })).toBeVisible();
});
