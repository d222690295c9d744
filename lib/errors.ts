// Typed domain errors with one mapping to HTTP. Domain code throws BillingError; the edge turns it into
// a status and `{ success: false, error }`. Database errors are logged, never shown.

export type BillingErrorCode =
  | "invalid_input"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unavailable"
  | "misconfigured";

export const httpStatusOf: Record<BillingErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  misconfigured: 500,
};

export type FieldErrors = Record<string, string[]>;

export class BillingError extends Error {
  readonly code: BillingErrorCode;
  readonly fieldErrors?: FieldErrors;
  readonly details?: Record<string, unknown>;

  constructor(
    code: BillingErrorCode,
    message: string,
    extra: { fieldErrors?: FieldErrors; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = "BillingError";
    this.code = code;
    this.fieldErrors = extra.fieldErrors;
    this.details = extra.details;
  }

  get status(): number {
    return httpStatusOf[this.code];
  }
}

// SQLSTATEs raised by the billing SQL functions (db/functions/).
const sqlStateCodes: Record<string, BillingErrorCode> = {
  BM400: "invalid_input",
  BM404: "not_found",
  BM409: "conflict",
};

// Text the database cannot store: a NUL (U+0000) in a text value (22021) or in JSON for jsonb (22P05).
// The statement failed as a whole, so nothing changed; the boundaries refuse NUL first (withoutNul).
const unstorableTextSqlStates = new Set(["22021", "22P05"]);

// Errors meaning "the database is not reachable right now": the caller may retry.
const unavailableSqlStates = new Set(["57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006"]);
const unavailableNodeCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** Whether a driver error code means the database cannot be reached right now (a retry may work). */
export function isUnavailableCode(code: string): boolean {
  return unavailableSqlStates.has(code) || unavailableNodeCodes.has(code);
}

/** The code of a driver error (SQLSTATE or Node's), looking through drizzle's wrapping (`cause`). */
export function errorCodeOf(err: unknown): { code?: string; message?: string } {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current && typeof current === "object"; depth++) {
    const e = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === "string") return { code: e.code, message: typeof e.message === "string" ? e.message : undefined };
    current = e.cause;
  }
  return {};
}

/** A BillingError for errors the domain knows how to name; undefined for real bugs. */
export function asBillingError(err: unknown): BillingError | undefined {
  if (err instanceof BillingError) return err;
  const { code, message } = errorCodeOf(err);
  if (!code) return undefined;
  const mapped = sqlStateCodes[code];
  if (mapped && message) return new BillingError(mapped, message, { cause: err });
  if (unstorableTextSqlStates.has(code)) {
    return new BillingError("invalid_input", "The input holds a character the database cannot store (NUL, U+0000).", { cause: err });
  }
  if (isUnavailableCode(code)) {
    return new BillingError("unavailable", "The database is unavailable; try again shortly.", { cause: err });
  }
  return undefined;
}

/** Rethrows database errors the SQL functions raised on purpose as BillingErrors. */
export function rethrowAsBillingError(err: unknown): never {
  throw asBillingError(err) ?? err;
}

/** True when a PostgreSQL unique constraint (by name) refused the write. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const e = current as { code?: unknown; constraint_name?: unknown; constraint?: unknown; cause?: unknown };
    if (e.code === "23505") {
      const name = e.constraint_name ?? e.constraint;
      return constraint === undefined || name === constraint;
    }
    current = e.cause;
  }
  return false;
}
