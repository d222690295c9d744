// Prometheus scrape endpoint: `Authorization: Bearer $METRICS_TOKEN`; 404 when METRICS_TOKEN is unset.
import { metricsExposition } from "@/lib/metrics/exposition";
import { scrapeAccessOf } from "@/lib/metrics/scrape-access";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

export async function GET(request: Request): Promise<Response> {
  const access = scrapeAccessOf(request.headers.get("authorization"));
  if (access === "disabled") {
    return Response.json({ success: false, error: "Metrics are not enabled on this server (METRICS_TOKEN is not set)." }, { status: 404, headers: NO_STORE });
  }
  if (access === "unauthorized") {
    return Response.json(
      { success: false, error: "Send the metrics token as Authorization: Bearer <METRICS_TOKEN>." },
      { status: 401, headers: { ...NO_STORE, "www-authenticate": 'Bearer realm="metrics"' } },
    );
  }
  const { contentType, body } = await metricsExposition();
  return new Response(body, { status: 200, headers: { ...NO_STORE, "content-type": contentType } });
}
