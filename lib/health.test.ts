// /api/health names what is wrong with the database (unreachable, credentials, missing database, a failed
// migration) from the error code alone: never the URL, a password or the driver's own text.
import { describe, expect, it } from "vitest";
import { asBillingError } from "./errors";
import { describeDatabaseProblem } from "./health";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("describeDatabaseProblem", () => {
  it("names an unreachable database, even inside a failed migration at start", () => {
    const refused = withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED");
    const atStart = new Error("Database migration failed: connect ECONNREFUSED 127.0.0.1:5432", { cause: refused });
    expect(describeDatabaseProblem(refused)).toMatch(/^The database is unreachable \(ECONNREFUSED\)/);
    expect(describeDatabaseProblem(atStart)).toMatch(/^The database is unreachable \(ECONNREFUSED\)/);
  });

  it("calls a database unreachable exactly when a webhook answers 503 for it (one list of codes)", () => {
    for (const code of ["EHOSTUNREACH", "ENETUNREACH", "ECONNREFUSED", "57P01"]) {
      const err = withCode(`connect ${code}`, code);
      expect(describeDatabaseProblem(err), code).toMatch(/^The database is unreachable/);
      expect(asBillingError(err)?.status, code).toBe(503);
    }
  });

  it("names a failed migration, refused credentials and a missing database", () => {
    const broken = new Error('Database migration failed: relation "x" does not exist', { cause: withCode('relation "x" does not exist', "42P01") });
    expect(describeDatabaseProblem(broken)).toMatch(/migrations could not be applied/);
    expect(describeDatabaseProblem(withCode('password authentication failed for user "u"', "28P01"))).toMatch(/refused the configured credentials/);
    expect(describeDatabaseProblem(withCode('database "x" does not exist', "3D000"))).toMatch(/does not exist/);
  });

  it("never repeats the driver's message (which may hold a host, a user or a URL)", () => {
    const secretish = new Error("connect to postgres://app:s3cret-pass@db.internal:5432/app failed");
    expect(describeDatabaseProblem(secretish)).toBe("The database is unavailable.");
    expect(describeDatabaseProblem(withCode("postgres://app:s3cret-pass@db/app", "ECONNREFUSED"))).not.toContain("s3cret");
  });
});
