// Ops price a tenant: the plan form (inline errors from the API's zod schema, then a saved version in the
// history), the draft invoice with its lines and total (equal to the JSON API), finalize with a
// confirmation (then frozen), the printable page, and the tenant pickers asking the server for matches.
import { expect, test } from "@playwright/test";
import { pickTenant, signIn } from "./support/session";

test.describe.configure({ mode: "serial" });

const monthOf = (d: Date, timeZone: string) => {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit" }).formatToParts(d);
  return `${parts.find((p) => p.type === "year")!.value}-${parts.find((p) => p.type === "month")!.value}`;
};
const previousMonth = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
};

test("the plan form refuses bad fields inline, then saves a new version from this period", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/tenants/northwind-legal");
  const form = page.getByRole("form", { name: "Price plan" });
  await form.getByLabel("Currency").fill("usd");
  await form.getByLabel("Local number, monthly fee").fill("-1");
  await form.getByRole("row", { name: /Voice minutes, inbound/ }).getByRole("checkbox").check();
  await form.getByLabel("Voice minutes, inbound: unit price").fill("0.0000001");
  await form.getByLabel("Voice minutes, inbound: included units").fill("1.5");
  await form.getByRole("button", { name: /Save plan/ }).click();
  await expect(form.getByText("Currency must be an ISO 4217 code such as USD")).toBeVisible();
  await expect(form.getByText(/Local number fee must be a decimal string >= 0/)).toBeVisible();
  await expect(form.getByText(/Unit price must be a decimal string >= 0 with at most 6 decimals/)).toBeVisible();
  await expect(form.getByText("Included must be a whole number >= 0")).toBeVisible();
  expect((await page.request.get("/api/ops/tenants/northwind-legal/price-plan")).status()).toBe(404);

  await form.getByLabel("Currency").fill("USD");
  await form.getByLabel("Local number, monthly fee").fill("1.15");
  await form.getByLabel("Voice minutes, inbound: unit price").fill("0.0085");
  await form.getByLabel("Voice minutes, inbound: included units").fill("100");
  await form.getByRole("button", { name: /Save plan/ }).click();
  await expect(page.getByText(/Price plan saved: it prices \d{4}-\d\d on/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Plan history" })).toContainText("1 metrics charged");
  const plan = await page.request.get("/api/ops/tenants/northwind-legal/price-plan");
  expect(plan.status()).toBe(200);
  expect(await plan.json()).toMatchObject({ currency: "USD", number_monthly_fee: { local: "1.15", toll_free: "2.15" }, charges: { voice_inbound_minutes: { unit_price: "0.0085", included: 100 } } });
  // The draft to date shows up, its total equal to the API's.
  const draft = page.getByTestId("invoice-to-date");
  await expect(draft.locator("[data-line=voice_inbound_minutes]")).toBeVisible();
  const month = monthOf(new Date(), "America/New_York");
  const api = (await (await page.request.get(`/api/invoices/northwind-legal/${month}`)).json()) as { total_cents: number; status: string };
  expect(api.status).toBe("draft");
  await expect(draft.locator("[data-total-cents]")).toHaveAttribute("data-total-cents", String(api.total_cents));
});

test("a draft shows its lines and total; finalize asks first, then the invoice is final and frozen", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/tenants/acme-dental");
  const last = previousMonth(monthOf(new Date(), "America/Vancouver"));
  const previous = page.getByTestId("invoice-previous");
  await expect(previous.getByRole("table", { name: new RegExp(`^Invoice ${last}`) })).toBeVisible();
  await expect(previous.locator("[data-status=draft]")).toBeVisible();
  const before = (await (await page.request.get(`/api/invoices/acme-dental/${last}`)).json()) as { lines: { code: string }[]; total_cents: number };
  expect(before.lines.map((l) => l.code)).toContain("number_fee_local");
  await expect(previous.locator("[data-total-cents]")).toHaveAttribute("data-total-cents", String(before.total_cents));
  await expect(previous.locator("[data-line=number_fee_local]")).toContainText("Local numbers, monthly fee");

  await previous.getByRole("button", { name: `Finalize ${last}` }).click();
  const dialog = page.getByRole("dialog", { name: `Finalize the ${last} invoice of acme-dental?` });
  await expect(dialog).toContainText("never changes again");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect(((await (await page.request.get(`/api/invoices/acme-dental/${last}`)).json()) as { status: string }).status).toBe("draft");

  await previous.getByRole("button", { name: `Finalize ${last}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes, finalize" }).click();
  await expect(page.getByText(`Invoice ${last} finalized`)).toBeVisible();
  await expect(previous.locator("[data-status=final]")).toBeVisible();
  const final = await (await page.request.get(`/api/invoices/acme-dental/${last}`)).text();
  expect(JSON.parse(final)).toMatchObject({ status: "final", total_cents: before.total_cents });
  // Finalizing again changes nothing; the final list links the printable page.
  expect(await (await page.request.post(`/api/invoices/acme-dental/${last}/finalize`)).text()).toBe(final);
  expect((await page.request.post(`/api/invoices/acme-dental/${monthOf(new Date(), "America/Vancouver")}/finalize`)).status()).toBe(409);
  await page.getByRole("table", { name: "Final invoices" }).getByRole("link", { name: last }).click();
  await expect(page.getByRole("heading", { name: `Invoice ${last}` })).toBeVisible();
  await expect(page.getByRole("button", { name: "Print or save as PDF" })).toBeVisible();
  await expect(page.getByText(/Final since/)).toBeVisible();
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Print or save as PDF" })).toBeHidden();
});

test("tenant pickers ask the server: the tenants list searches and pages, the numbers filter picks a tenant", async ({ page }) => {
  await signIn(page, "ops");
  await page.goto("/ops/tenants?q=dental");
  await expect(page.getByRole("link", { name: "acme-dental" })).toBeVisible();
  await expect(page.getByRole("link", { name: "test-tenant-123" })).toHaveCount(0);
  await page.goto("/ops/numbers");
  await expect(page.locator("option", { hasText: "acme-dental" })).toHaveCount(0);
  const filters = page.getByRole("form", { name: "Filter numbers" });
  await pickTenant(filters, "Tenant", "acme-dental");
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/tenant=acme-dental/);
  const tenants = await page.locator("tbody tr td:nth-child(2)").allInnerTexts();
  expect(new Set(tenants)).toEqual(new Set(["acme-dental"]));
});

test("a tenant user cannot set plans or finalize: 403, and another tenant's invoice is 404", async ({ page }) => {
  await signIn(page, "tenant");
  const put = await page.request.put("/api/ops/tenants/test-tenant-123/price-plan", {
    data: { currency: "USD", number_monthly_fee: { local: "0", toll_free: "0" } },
  });
  expect(put.status()).toBe(403);
  expect((await page.request.get("/api/ops/tenants/test-tenant-123/price-plan")).status()).toBe(403);
  expect((await page.request.post(`/api/invoices/test-tenant-123/2025-01/finalize`)).status()).toBe(403);
  const month = monthOf(new Date(), "America/Vancouver");
  expect((await page.request.get(`/api/invoices/acme-dental/${month}`)).status()).toBe(404);
  expect((await page.request.get(`/api/invoices/export?period=${month}&tenant_id=acme-dental`)).status()).toBe(404);
  expect((await page.goto(`/ops/tenants/acme-dental/invoices/${month}`))?.status()).toBe(403);
});
