// GET /api/openapi.json: the OpenAPI 3.1 document of the JSON API (lib/http/openapi.ts), public.
import { openApiDocument } from "@/lib/http/openapi";

// Rendered per request (it is small): a static route would answer any method, a POST included, with 200.
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json(openApiDocument());
}
