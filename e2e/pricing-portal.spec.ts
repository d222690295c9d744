// The tenant portal's invoices: the invoice to date and past invoices (the demo's final one), each with
// its printable page; the API answers the same figures; another tenant's invoices are 404, anonymous 401.
import { expect, test } from "@playwright/test";
import { signIn } from "./support/session";

const month = new Date().toISOString().slice(0, 7);
const last = (() => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
})();

test("a tenant user sees the invoice to date and the past final invoice, as the API gives them", async ({ page }) => {
  await signIn(page, "tenant");
  const toDate = page.getByTestId("invoice-to-date");
  await expect(toDate.getByText(`Invoice to date, ${month}`)).toBeVisible();
  const api = (await (await page.request.get(`/api/invoices/test-tenant-123/${month}`)).json()) as { total_cents: number; status: string; lines: { code: string }[] };
  expect(api.status).toBe("draft");
  await expect(toDate.locator("[data-total-cents]")).toHaveAttribute("data-total-cents", String(api.total_cents));
  for (const line of api.lines) await expect(toDate.locator(`[data-line=${line.code}]`)).toHaveCount(1);
  // No finalize button in the portal.
  await expect(page.getByRole("button", { name: /Finalize/ })).toHaveCount(0);

  const finals = page.getByRole("table", { name: "Final invoices" });
  await expect(finals.getByRole("link", { name: last })).toBeVisible();
  const final = (await (await page.request.get(`/api/invoices/test-tenant-123/${last}`)).json()) as { status: string; total_cents: number };
  expect(final.status).toBe("final");
  await finals.getByRole("link", { name: last }).click();
  await expect(page).toHaveURL(new RegExp(`/usage/invoices/${last}$`));
  await expect(page.getByRole("heading", { name: `Invoice ${last}` })).toBeVisible();
  await expect(page.locator("[data-total-cents]")).toHaveAttribute("data-total-cents", String(final.total_cents));
  const csv = await page.request.get(`/api/invoices/export?period=${last}`);
  expect(csv.status()).toBe(200);
  expect(new Set((await csv.text()).trim().split("\n").slice(1).map((r) => r.split(",")[1]))).toEqual(new Set(["test-tenant-123"]));
});

test("another tenant's invoices are 404 for a tenant user; anonymous callers get 401", async ({ page, playwright }) => {
  await signIn(page, "acme");
  expect((await page.request.get(`/api/invoices/test-tenant-123/${last}`)).status()).toBe(404);
  expect((await page.request.get(`/api/invoices/no-such-tenant/${last}`)).status()).toBe(404);
  expect((await page.goto(`/usage/invoices/${last}?tenant=test-tenant-123`))?.status()).toBe(404);
  expect((await page.goto(`/usage/invoices/${last}`))?.status()).toBe(200);
  await expect(page.getByText("(acme-dental)")).toBeVisible();
  const anonymous = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
  expect((await anonymous.get(`/api/invoices/test-tenant-123/${last}`)).status()).toBe(401);
  expect((await anonymous.get(`/api/invoices/export?period=${last}`)).status()).toBe(401);
  expect((await anonymous.get("/api/openapi.json")).status()).toBe(200);
  await anonymous.dispose();
});
