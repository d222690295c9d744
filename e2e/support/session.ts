import { expect, type Locator, type Page } from "@playwright/test";
import { DEMO } from "./env";

/** Signs in through /login as one of the demo users and waits for their home page. */
export async function signIn(page: Page, who: keyof typeof DEMO): Promise<void> {
  const user = DEMO[who];
  await page.goto("/login");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(who === "ops" ? /\/ops$/ : /\/usage/);
}

/** Picks a tenant in a tenant combobox (components/tenants/tenant-combobox.tsx): types it, clicks the match. */
export async function pickTenant(scope: Page | Locator, label: string, tenantId: string): Promise<void> {
  const input = scope.getByRole("combobox", { name: label });
  await input.fill(tenantId);
  await scope.getByRole("option", { name: new RegExp(`^${tenantId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`) }).click();
  await expect(input).toHaveValue(tenantId);
}
