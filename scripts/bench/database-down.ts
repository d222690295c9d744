// How fast the webhook routes answer while the database is unreachable: a 503 that Twilio retries
// must come well inside Twilio's 15 s webhook timeout, not after the driver has given up on its own.
// The route handlers run in-process against a database URL nothing listens on (port 1).
import { closeDb, openPostgres, useDatabaseForTests } from "@/db/client";
import type { BenchNumber } from "./fleet";
import { makeEvents } from "./fleet";
import { loadRoutes } from "./handler-breakdown";
import { signedRequestsOf } from "./http-ingest";
import { BENCH_PUBLIC_BASE } from "./server";
import { median } from "./stats";

export async function answersWithDatabaseDown(numbers: BenchNumber[], count: number, runTag: string): Promise<{ medianMs: number; slowestMs: number }> {
  const routes = await loadRoutes();
  const unreachable = await openPostgres("postgres://billing_map:bench@127.0.0.1:1/unreachable", { max: 1 });
  useDatabaseForTests(unreachable);
  try {
    const times: number[] = [];
    for (const r of signedRequestsOf(makeEvents(numbers, count, 0, runTag).events)) {
      const request = new Request(BENCH_PUBLIC_BASE + r.path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": r.signature },
        body: r.body,
      });
      const t0 = performance.now();
      const res = await routes[r.path]!.POST(request);
      times.push(performance.now() - t0);
      if (res.status !== 503) throw new Error(`database down: ${r.path} answered ${res.status}, want 503`);
    }
    return { medianMs: median(times), slowestMs: Math.max(...times) };
  } finally {
    await closeDb();
  }
}
