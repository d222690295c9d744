// The scrape: the database readings, then the registry as Prometheus text.
import { getDb, openedDb, type Db } from "@/db/client";
import { refreshDatabaseGauges } from "./database-readings";
import { processMetrics } from "./registry";

export interface Exposition {
  contentType: string;
  body: string;
}

async function processDb(): Promise<Db | undefined> {
  const opened = openedDb();
  if (opened) return opened;
  try {
    return await getDb();
  } catch {
    return undefined; // reported as billing_map_db_up 0
  }
}

export async function metricsExposition(): Promise<Exposition> {
  const metrics = processMetrics();
  await refreshDatabaseGauges(metrics, await processDb());
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
