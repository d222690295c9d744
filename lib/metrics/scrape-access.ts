// Who may scrape /api/metrics: a request carrying `Authorization: Bearer $METRICS_TOKEN`. Compared in
// constant time (sha256 of both sides, so neither the content nor the length of the token leaks
// through timing). Without METRICS_TOKEN the endpoint does not exist (404).
import { createHash, timingSafeEqual } from "node:crypto";

export type ScrapeAccess = "allowed" | "unauthorized" | "disabled";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

export function scrapeAccessOf(authorization: string | null, token = process.env.METRICS_TOKEN): ScrapeAccess {
  if (!token) return "disabled";
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  const presented = match?.[1] ?? "";
  // Always compare, also for a missing header: the same work whatever was sent.
  const equal = timingSafeEqual(digest(presented), digest(token));
  return equal && match ? "allowed" : "unauthorized";
}
