// The ops console as the original design's manual test describes it, plus access and sign-in checks.
import { expect, test } from "@playwright/test";
import { pickTenant, signIn } from "./support/session";
import { sid } from "./support/twilio";

const NUMBER = "+12505551234";
const EVIDENCE = `✅ Mapped ${NUMBER} to tenant and initialized usage counters`;

test.describe.configure({ mode: "serial" });

test("ops maps +12505551234 to test-tenant-123 through the form, then again: (updated), no error", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/numbers/onboard");
  const section = page.getByRole("region", { name: "Map Number for Billing" });
  await pickTenant(section, "Tenant ID", "test-tenant-123");
  await section.getByLabel("Twilio Number SID").fill(sid("PN", 0x1234));
  await section.getByLabel("Phone Number (E.164)").fill(NUMBER);
  await expect(section.getByLabel("Number Type")).toHaveValue("both");
  await section.getByRole("button", { name: "Map Number for Billing" }).click();
  await expect(section.getByTestId("evidence-panel")).toHaveText(EVIDENCE);
  await expect(page.getByText("Number mapped successfully")).toBeVisible();

  await section.getByRole("button", { name: "Map Number for Billing" }).click();
  await expect(section.getByTestId("evidence-panel")).toHaveText(`${EVIDENCE} (updated)`);
  await expect(section.getByRole("alert")).toHaveCount(0);

  await page.goto(`/ops/numbers?q=${encodeURIComponent(NUMBER)}`);
  await expect(page.getByRole("cell", { name: NUMBER })).toHaveCount(1);
  await expect(page.getByRole("cell", { name: "test-tenant-123" })).toBeVisible();
});

test("an invalid phone number shows an inline error and nothing is written", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/numbers/onboard");
  const section = page.getByRole("region", { name: "Map Number for Billing" });
  await section.getByLabel("Twilio Number SID").fill(sid("PN", 0x4321));
  await section.getByLabel("Phone Number (E.164)").fill("250-555-98");
  await section.getByRole("button", { name: "Map Number for Billing" }).click();
  await expect(section.getByText(/E\.164|phone number/i).first()).toBeVisible();
  await expect(section.getByTestId("evidence-panel")).toHaveText("");
  await page.goto(`/ops/numbers?q=${encodeURIComponent("+125055598")}`);
  await expect(page.getByText("No numbers match these filters.")).toBeVisible();
});

test("a number another tenant holds is refused with a clear message, and moves only on explicit transfer", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/numbers/onboard");
  const section = page.getByRole("region", { name: "Map Number for Billing" });
  await pickTenant(section, "Tenant ID", "acme-dental");
  await section.getByLabel("Twilio Number SID").fill(sid("PN", 0x1234));
  await section.getByLabel("Phone Number (E.164)").fill(NUMBER);
  await section.getByRole("button", { name: "Map Number for Billing" }).click();
  await expect(section.getByRole("alert")).toContainText("test-tenant-123");
  await section.getByRole("button", { name: /Transfer to acme-dental/ }).click();
  await expect(section.getByTestId("evidence-panel")).toHaveText(EVIDENCE);
  await page.goto(`/ops/numbers?q=${encodeURIComponent(NUMBER)}&status=active`);
  await expect(page.getByRole("cell", { name: "acme-dental" })).toBeVisible();
});

test("deprovisioning is confirmed first and ends the mapping", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto(`/ops/numbers?q=${encodeURIComponent(NUMBER)}&status=active`);
  await page.getByRole("button", { name: "Deprovision" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Deprovision ${NUMBER}?`);
  await dialog.getByRole("button", { name: "Yes, deprovision" }).click();
  await expect(page.getByText(`${NUMBER} deprovisioned`)).toBeVisible();
  await page.goto(`/ops/numbers?q=${encodeURIComponent(NUMBER)}&status=active`);
  await expect(page.getByText("No numbers match these filters.")).toBeVisible();
});

test("a tenant user is kept out of /ops with a 403 and no data", async ({ page }) => {
  await signIn(page, "tenant");
  const response = await page.goto("/ops/numbers");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("403 · Not allowed")).toBeVisible();
  await expect(page.getByText("+1250555")).toHaveCount(0);
});

test("a wrong password does not sign in", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("ops@example.com");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
  await page.goto("/ops");
  await expect(page).toHaveURL(/\/login/);
});

test("ops create an API key (shown once) and revoke it", async ({ page, request }) => {
  await signIn(page, "ops");
  await page.goto("/ops/api-keys");
  await page.getByLabel("Key name").fill("e2e-provisioning");
  await page.getByRole("button", { name: "Create API key" }).click();
  const key = await page.getByLabel("New API key").inputValue();
  expect(key).toMatch(/^bm_/);
  const body = { tenant_id: "northwind-legal", twilio_number_sid: sid("PN", 0xabc), phone_number: "+12125550199" };
  const ok = await request.post("/api/ops/map-number-to-tenant", { headers: { authorization: `Bearer ${key}` }, data: body });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ success: true, evidence: "✅ Mapped +12125550199 to tenant and initialized usage counters" });

  await page.reload();
  const row = page.getByRole("row", { name: /e2e-provisioning/ });
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Yes, revoke e2e-provisioning" }).click();
  await expect(page.getByText("API key e2e-provisioning revoked")).toBeVisible();
  const refused = await request.post("/api/ops/map-number-to-tenant", { headers: { authorization: `Bearer ${key}` }, data: body });
  expect(refused.status()).toBe(401);
});
