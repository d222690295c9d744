// What a webhook needs to know before it counts an event: the mapping that held the number at the
// event's time, and whether the event is already kept in the unmatched inbox. Concurrent requests
// share one query (up to MAX_LOOKUPS per round trip, one in flight at a time), so a burst of webhooks
// costs one read per burst instead of two per request. A read only routes the event: exactly-once is
// decided by the write (the log's unique key), never by this read.
import "server-only";
import { sql } from "drizzle-orm";
import { PgTransaction } from "drizzle-orm/pg-core";
import { queryRowsPrepared, type Db } from "@/db/client";

/** The mapping that held the number at the event's time: all that counting needs of it. */
export interface WebhookMapping {
  id: string;
  tenantId: string;
}

export interface WebhookLookup {
  mapping: WebhookMapping | null;
  /** The event's key is already in the unmatched inbox (kept before, or resolved there). */
  keptUnmatched: boolean;
}

interface LookupRequest {
  phoneNumber: string;
  at: Date;
  idempotencyKey: string;
}

interface Waiting extends LookupRequest {
  resolve: (lookup: WebhookLookup) => void;
  reject: (error: unknown) => void;
}

interface Row {
  i: number;
  kept: boolean;
  id: string | null;
  tenant_id: string;
}

const MAX_LOOKUPS = 500;

async function runLookups(db: Db, requests: LookupRequest[]): Promise<WebhookLookup[]> {
  const rows = await queryRowsPrepared<Row>(
    db,
    sql`select q.i::int as i,
        exists (select 1 from unmatched_usage_events u where u.idempotency_key = q.key) as kept,
        m.id::text as id, m.tenant_id
      from rows from (jsonb_to_recordset(${JSON.stringify(requests.map((r) => ({ phone: r.phoneNumber, at: r.at.toISOString(), key: r.idempotencyKey })))}::jsonb)
             as (phone text, at timestamptz, key text)) with ordinality as q(phone, at, key, i)
      left join lateral (
        select m.id, m.tenant_id from tenant_phone_mappings m
        where m.phone_number = q.phone and m.provisioned_at <= q.at and (m.deprovisioned_at is null or m.deprovisioned_at > q.at)
        order by m.provisioned_at desc limit 1
      ) m on true
      order by q.i`,
  );
  if (rows.length !== requests.length) throw new Error(`webhook lookup answered ${rows.length} of ${requests.length}`);
  return rows.map((r) => ({
    keptUnmatched: r.kept,
    mapping: r.id ? { id: r.id, tenantId: r.tenant_id } : null,
  }));
}

class LookupCoalescer {
  private queue: Waiting[] = [];
  private busy = false;
  private scheduled = false;

  constructor(private readonly db: Db) {}

  lookup(request: LookupRequest): Promise<WebhookLookup> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.busy) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_LOOKUPS);
    this.busy = true;
    try {
      const answers = await runLookups(this.db, batch);
      batch.forEach((w, i) => w.resolve(answers[i]!));
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.busy = false;
      if (this.queue.length) this.schedule();
    }
  }
}

const coalescers = new WeakMap<Db, LookupCoalescer>();

/** The lookup for one event, shared with the events arriving at the same time. */
export async function lookupWebhookEvent(db: Db, request: LookupRequest): Promise<WebhookLookup> {
  if ((db as unknown) instanceof PgTransaction) return (await runLookups(db, [request]))[0]!;
  let coalescer = coalescers.get(db);
  if (!coalescer) {
    coalescer = new LookupCoalescer(db);
    coalescers.set(db, coalescer);
  }
  return coalescer.lookup(request);
}
