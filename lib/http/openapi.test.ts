// The OpenAPI document: a 3.1 document whose every schema compiles, covering the mapping, price-plan and
// invoice routes; a response that breaks it is caught (the checks in the route tests can fail).
import { describe, expect, it } from "vitest";
import { expectMatchesOpenApi } from "@/lib/testing/openapi";
import { openApiDocument } from "./openapi";
import { GET } from "@/app/api/openapi.json/route";

describe("GET /api/openapi.json", () => {
  it("serves an OpenAPI 3.1 document of the mapping, price-plan and invoice routes", async () => {
    const res = GET();
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(doc).toEqual(openApiDocument());
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual([
      "/api/invoices/export",
      "/api/invoices/{tenantId}/{period}",
      "/api/invoices/{tenantId}/{period}/finalize",
      "/api/ops/map-number-to-tenant",
      "/api/ops/tenants/{tenantId}/price-plan",
    ]);
    expect(Object.keys(doc.components.schemas).sort()).toEqual(
      ["Error", "Invoice", "InvoiceLine", "MapNumberInput", "MapNumberResponse", "Mapping", "PricePlan", "PricePlanInput"].sort(),
    );
  });

  it("catches a response that does not match", () => {
    const invoice = { tenant_id: "t", period: "2025-01", currency: "USD", status: "draft", lines: [], total_cents: 0, finalized_at: null };
    expectMatchesOpenApi("/api/invoices/{tenantId}/{period}", "get", 200, invoice);
    expect(() => expectMatchesOpenApi("/api/invoices/{tenantId}/{period}", "get", 200, { ...invoice, total_cents: "0" })).toThrow();
    expect(() => expectMatchesOpenApi("/api/invoices/{tenantId}/{period}", "get", 200, { ...invoice, status: "sent" })).toThrow();
    expect(() => expectMatchesOpenApi("/api/ops/tenants/{tenantId}/price-plan", "put", 400, { success: false })).toThrow();
  });
});
