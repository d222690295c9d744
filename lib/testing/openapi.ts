// Test support: checks a real response against the OpenAPI document the app serves (lib/http/openapi.ts),
// with an independent JSON Schema 2020-12 validator (ajv), so the document cannot drift from the routes.
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { expect } from "vitest";
import { openApiDocument } from "@/lib/http/openapi";

type Doc = { components: { schemas: Record<string, unknown> }; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
const DOC_ID = "https://billing-map.invalid/openapi.json";
let ajv: Ajv2020 | undefined;

function validator(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: DOC_ID, components: (openApiDocument() as unknown as Doc).components });
  return ajv;
}

/** Asserts that `body` is what the document says `method path` answers with `status`. */
export function expectMatchesOpenApi(path: string, method: string, status: number, body: unknown): void {
  const doc = openApiDocument() as unknown as Doc;
  const response = doc.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
  expect(response, `the document describes ${method} ${path} -> ${status}`).toBeDefined();
  const schema = response!.content?.["application/json"]?.schema as { $ref: string } | undefined;
  expect(schema, `${method} ${path} -> ${status} is JSON`).toBeDefined();
  const validate = validator().getSchema(`${DOC_ID}${schema!.$ref}`);
  expect(validate, `schema ${schema!.$ref}`).toBeDefined();
  const valid = validate!(body);
  expect(valid ? [] : validate!.errors, `${method} ${path} -> ${status} matches the document`).toEqual([]);
}
