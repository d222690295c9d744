// GET /api/openapi.json: the OpenAPI 3.1 document of the JSON API (lib/http/openapi.ts), public.
import { openApiDocument } from "@/lib/http/openapi";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(openApiDocument());
}
