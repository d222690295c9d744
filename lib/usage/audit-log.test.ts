// The audit-log browser pages a log of thousands of rows by keyset, with filters on, forward and back,
// without missing or repeating a row; a foreign or unknown entry is 404; bad filters and cursors are 400.
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { logSmsUsage, logVoiceUsage, mapNumberToTenant } from "@/lib/billing";
import { BillingError } from "@/lib/errors";
import { createTenant, sidOf, useTestDatabase } from "@/lib/testing/db";
import { auditLogEntry, auditLogFiltersSchema, auditLogPage, type AuditLogRow } from "./audit-log";

const actor = { actor: "user:ops@example.com" };
const EVENTS = 3200;

describe("audit-log browser", () => {
  const database = useTestDatabase();
  let logIdOfBeta = 0;

  beforeAll(async () => {
    const { db } = database();
    await createTenant(db, "alpha");
    await createTenant(db, "beta");
    const maps = [
      (await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 1), phoneNumber: "+16045550001" }, actor)).mapping,
      (await mapNumberToTenant(db, { tenantId: "alpha", twilioNumberSid: sidOf("PN", 2), phoneNumber: "+16045550002" }, actor)).mapping,
      (await mapNumberToTenant(db, { tenantId: "beta", twilioNumberSid: sidOf("PN", 3), phoneNumber: "+14155550003" }, actor)).mapping,
    ];
    for (let start = 0; start < EVENTS; start += 400) {
      await Promise.all(
        Array.from({ length: 400 }, (_, k) => {
          const i = start + k;
          const m = maps[i % 3]!;
          return i % 2
            ? logVoiceUsage(db, { tenantId: m.tenantId, phoneMappingId: m.id, durationSeconds: 61, callSid: sidOf("CA", i) })
            : logSmsUsage(db, { tenantId: m.tenantId, phoneMappingId: m.id, direction: "outbound", messageSid: sidOf("SM", i) });
        }),
      );
    }
    const [beta] = await queryRows<{ id: number }>(db, sql`select id::int as id from tenant_usage_logs where tenant_id = 'beta' limit 1`);
    logIdOfBeta = beta!.id;
  });

  async function walk(params: Record<string, string>, limit: number): Promise<AuditLogRow[]> {
    const { db } = database();
    const filters = auditLogFiltersSchema.parse(params);
    const seen: AuditLogRow[] = [];
    let page = await auditLogPage(db, { filters, limit });
    expect(page.prevCursor).toBeNull();
    seen.push(...page.rows);
    while (page.nextCursor) {
      page = await auditLogPage(db, { filters, after: page.nextCursor, limit });
      seen.push(...page.rows);
    }
    const back = [...page.rows];
    while (page.prevCursor) {
      page = await auditLogPage(db, { filters, before: page.prevCursor, limit });
      back.unshift(...page.rows);
    }
    expect(back.map((r) => r.id)).toEqual(seen.map((r) => r.id));
    return seen;
  }

  async function expectedIds(where: ReturnType<typeof sql>): Promise<number[]> {
    const rows = await queryRows<{ id: number }>(database().db, sql`select l.id::int as id from tenant_usage_logs l where ${where} order by l.logged_at desc, l.id desc`);
    return rows.map((r) => r.id);
  }

  it("walks the whole log newest first, no row missed or repeated, both ways", async () => {
    const rows = await walk({}, 97);
    expect(rows.map((r) => r.id)).toEqual(await expectedIds(sql`true`));
    expect(new Set(rows.map((r) => r.id)).size).toBe(EVENTS);
  });

  it("walks with filters on: tenant + type, number, provider SID", async () => {
    const betaVoice = await walk({ tenant: "beta", type: "voice" }, 50);
    expect(betaVoice.map((r) => r.id)).toEqual(await expectedIds(sql`l.tenant_id = 'beta' and l.usage_type = 'voice'`));
    expect(betaVoice.every((r) => r.tenantId === "beta" && r.usageType === "voice")).toBe(true);
    const number = await walk({ number: "+1 604 555 0002" }, 200);
    expect(number.length).toBeGreaterThan(1000);
    expect(number.every((r) => r.phoneNumber === "+16045550002")).toBe(true);
    const bySid = await walk({ sid: sidOf("CA", 7) }, 10);
    expect(bySid.map((r) => r.providerSid)).toEqual([sidOf("CA", 7)]);
    const future = await walk({ from: "2999-01-01" }, 10);
    expect(future).toEqual([]);
  });

  it("opens one entry with its metadata; another tenant's entry is 404 for a tenant caller", async () => {
    const { db } = database();
    const entry = await auditLogEntry(db, { id: String(logIdOfBeta) });
    expect(entry).toMatchObject({ id: logIdOfBeta, tenantId: "beta" });
    expect(entry.metadata).toBeTypeOf("object");
    const foreign = await auditLogEntry(db, { id: logIdOfBeta, tenantId: "alpha" }).catch((e: unknown) => e);
    expect((foreign as BillingError).status).toBe(404);
    const unknown = await auditLogEntry(db, { id: "99999999" }).catch((e: unknown) => e);
    expect((unknown as BillingError).status).toBe(404);
    const junk = await auditLogEntry(db, { id: "1;drop table x" }).catch((e: unknown) => e);
    expect((junk as BillingError).status).toBe(400);
  });

  it("refuses bad filters and forged cursors with a clear message", async () => {
    const { db } = database();
    const bad = auditLogFiltersSchema.safeParse({ type: "fax", sid: "XX1", from: "yesterday", number: "12" });
    expect(bad.success).toBe(false);
    expect(new Set(bad.error!.issues.map((i) => i.path[0]))).toEqual(new Set(["type", "sid", "from", "number"]));
    const forged = await auditLogPage(db, { filters: {}, after: "eyJ4IjoxfQ" }).catch((e: unknown) => e);
    expect((forged as BillingError).status).toBe(400);
  });
});
