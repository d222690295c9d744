import { expect, type Page } from "@playwright/test";
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
