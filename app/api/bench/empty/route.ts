// The framework's ceiling for the ingestion benchmark: a route handler of the same build that reads the
// form body and answers like a webhook would, without any billing work. Off (404) unless the server
// was started with BENCH_ROUTES=1, so production deployments do not expose it.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const benchRoutesOn = process.env.BENCH_ROUTES === "1";

export async function POST(request: Request) {
  if (!benchRoutesOn) return Response.json({ success: false, error: "Not found." }, { status: 404 });
  await request.text();
  return new Response("<Response/>", { status: 200, headers: { "content-type": "text/xml" } });
}

export async function GET() {
  if (!benchRoutesOn) return Response.json({ success: false, error: "Not found." }, { status: 404 });
  return new Response("ok", { status: 200 });
}
