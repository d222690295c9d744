// The PostgreSQL pool reconnects quickly once the database is back: at most 1 s between attempts
// however long the outage was (postgres.js's own default reaches 20 s).
import { describe, expect, it } from "vitest";
import { closeDb, openedDb, reconnectDelaySeconds, useDatabaseForTests, type Db } from "./client";

describe("reconnectDelaySeconds", () => {
  it("starts small and never exceeds 1 s, even after hundreds of failed connections", () => {
    expect(reconnectDelaySeconds(0)).toBeLessThanOrEqual(0.05);
    for (const retries of [1, 5, 8, 10, 50, 500]) {
      const delay = reconnectDelaySeconds(retries);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(1);
    }
  });
});

describe("openedDb", () => {
  it("is the open database without an await, and nothing before it opens or after it closes", async () => {
    await closeDb();
    expect(openedDb()).toBeUndefined();
    let closed = 0;
    const open = { db: {} as Db, kind: "pglite" as const, close: async () => void closed++ };
    useDatabaseForTests(open);
    expect(openedDb()).toBe(open.db);
    await closeDb();
    expect(openedDb()).toBeUndefined();
    expect(closed).toBe(1);
  });
});
