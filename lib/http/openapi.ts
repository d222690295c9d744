// The OpenAPI 3.1 document of the JSON API (mapping, price plans, invoices), served at /api/openapi.json.
// Its schemas are generated from the zod schemas the routes parse and answer with (z.toJSONSchema, JSON
// Schema 2020-12, the dialect OpenAPI 3.1 uses): request bodies as the routes accept them, responses as
// they are sent. Tests validate real responses against this document.
import { z } from "zod";
import { mapNumberApiSchema } from "@/lib/billing/schemas";
import { mapNumberResponseSchema, mappingJsonSchema } from "@/lib/billing/mapping-json";
import { invoiceLineSchema, invoiceSchema, pricePlanResponseSchema, pricePlanSchema } from "@/lib/pricing/schemas";

export const errorSchema = z
  .object({
    success: z.literal(false),
    error: z.string().meta({ description: "A sentence saying what is wrong" }),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional().meta({ description: "Per field (dotted path), for 400" }),
  })
  .meta({ id: "Error" });

type JsonSchema = Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function componentsOf(entries: [z.ZodType, string][], io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io, uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...schema }]) => [id, schema]));
}

const json = (id: string, description: string) => ({ description, content: { "application/json": { schema: ref(id) } } });
const errors = (statuses: Record<number, string>) =>
  Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, json("Error", description)]));
const tenantParam = { name: "tenantId", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$" } };
const periodParam = (where: "path" | "query", required = where === "path") => ({
  name: "period",
  in: where,
  required,
  description: "A billing period, YYYY-MM",
  schema: { type: "string", pattern: "^\\d{4}-(0[1-9]|1[0-2])$" },
});
const anyCaller = [{ apiKey: [] }, { session: [] }];

let cached: JsonSchema | undefined;

export function openApiDocument(): JsonSchema {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "billing-map",
      version: "1.0.0",
      description: "Maps Twilio numbers to tenants, counts their usage exactly once, and prices it into invoices.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An API key (npm run apikey:create, or the console's API keys screen)" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "A signed-in console session" },
      },
      schemas: {
        ...componentsOf([[mapNumberApiSchema, "MapNumberInput"], [pricePlanSchema, "PricePlanInput"]], "input"),
        ...componentsOf(
          [
            [mappingJsonSchema, "Mapping"],
            [mapNumberResponseSchema, "MapNumberResponse"],
            [pricePlanResponseSchema, "PricePlan"],
            [invoiceLineSchema, "InvoiceLine"],
            [invoiceSchema, "Invoice"],
            [errorSchema, "Error"],
          ],
          "output",
        ),
      },
    },
    paths: {
      "/api/ops/map-number-to-tenant": {
        post: {
          summary: "Map a number to a tenant (or move it with transfer: true)",
          security: [{ apiKey: [] }],
          requestBody: { required: true, content: { "application/json": { schema: ref("MapNumberInput") } } },
          responses: {
            200: json("MapNumberResponse", "Mapped (created, updated or transferred)"),
            ...errors({ 400: "Bad input", 401: "No valid API key", 404: "Unknown tenant", 409: "Another tenant holds the number", 413: "Body over 64 KiB", 415: "Body not JSON" }),
          },
        },
      },
      "/api/ops/tenants/{tenantId}/price-plan": {
        parameters: [tenantParam],
        get: {
          summary: "The plan that prices a period (default: the tenant's current one), with its history",
          security: anyCaller,
          parameters: [periodParam("query")],
          responses: { 200: json("PricePlan", "The plan"), ...errors({ 400: "Bad tenant id or period", 401: "Not signed in", 403: "Not ops", 404: "Unknown tenant, or no plan" }) },
        },
        put: {
          summary: "Set the plan from the tenant's current period on (a new version; earlier periods keep theirs)",
          security: anyCaller,
          requestBody: { required: true, content: { "application/json": { schema: ref("PricePlanInput") } } },
          responses: {
            200: json("PricePlan", "The plan as stored"),
            ...errors({ 400: "Bad input (fieldErrors per field)", 401: "Not signed in", 403: "Not ops", 404: "Unknown tenant", 413: "Body over 64 KiB", 415: "Body not JSON" }),
          },
        },
      },
      "/api/invoices/{tenantId}/{period}": {
        parameters: [tenantParam, periodParam("path")],
        get: {
          summary: "The invoice of a period: final as it was finalized, else the draft as of now",
          security: anyCaller,
          responses: {
            200: json("Invoice", "The invoice"),
            ...errors({ 400: "Bad tenant id or period", 401: "Not signed in", 404: "Unknown tenant (or another tenant's, for a tenant user), or no plan for the period" }),
          },
        },
      },
      "/api/invoices/{tenantId}/{period}/finalize": {
        parameters: [tenantParam, periodParam("path")],
        post: {
          summary: "Finalize the invoice once the period has ended in the tenant's time zone (idempotent)",
          security: anyCaller,
          responses: {
            200: json("Invoice", "The final invoice"),
            ...errors({ 400: "Bad tenant id or period", 401: "Not signed in", 403: "Not ops", 404: "Unknown tenant, or no plan", 409: "The period has not ended yet" }),
          },
        },
      },
      "/api/invoices/export": {
        get: {
          summary: "Every invoice line of a period as CSV, one row per tenant and line (streamed)",
          security: anyCaller,
          parameters: [periodParam("query", true), { name: "tenant_id", in: "query", required: false, schema: { type: "string" } }],
          responses: {
            200: { description: "CSV", content: { "text/csv": { schema: { type: "string" } } } },
            ...errors({ 400: "Missing or bad period", 401: "Not signed in", 404: "Unknown tenant" }),
          },
        },
      },
    },
  };
  return cached;
}
