// The empty-route baseline exists only for the benchmark: a server started without BENCH_ROUTES=1
// answers 404, so production never exposes it.
import { afterEach, describe, expect, it, vi } from "vitest";

async function loadRoute(benchRoutes: string | undefined) {
  vi.resetModules();
  if (benchRoutes === undefined) delete process.env.BENCH_ROUTES;
  else process.env.BENCH_ROUTES = benchRoutes;
  return import("./route");
}

const post = () => new Request("http://127.0.0.1/api/bench/empty", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" });

describe("empty benchmark route", () => {
  afterEach(() => {
    delete process.env.BENCH_ROUTES;
  });

  it("answers 404 with a JSON error when BENCH_ROUTES is not set at start", async () => {
    const route = await loadRoute(undefined);
    const res = await route.POST(post());
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ success: false, error: "Not found." });
    expect((await route.GET()).status).toBe(404);
  });

  it("answers 404 for any value but 1", async () => {
    const route = await loadRoute("true");
    expect((await route.POST(post())).status).toBe(404);
  });

  it("answers 200 with an empty TwiML response when the server started with BENCH_ROUTES=1", async () => {
    const route = await loadRoute("1");
    const res = await route.POST(post());
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("<Response/>");
  });
});
