// Opaque keyset cursors for the console's lists: the sort key of the row a page starts after (or
// before), as base64url JSON. A cursor that does not decode to the expected shape is a 400.
import { z } from "zod";
import { BillingError } from "@/lib/errors";

export function encodeCursor(values: (string | number)[]): string {
  return Buffer.from(JSON.stringify(values), "utf8").toString("base64url");
}

const holdsNul = (value: unknown): boolean =>
  typeof value === "string" ? value.includes("\u0000") : Array.isArray(value) && value.some(holdsNul);

export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.output<T> {
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    // A cursor holds only values this app wrote; a NUL (no database text can hold one) was forged.
    if (parsed.success && !holdsNul(parsed.data)) return parsed.data;
  } catch {
    /* fall through */
  }
  throw new BillingError("invalid_input", "The page link is not valid; start again from the first page", {
    fieldErrors: { cursor: ["Not a valid page cursor"] },
  });
}

export interface Page<Row> {
  rows: Row[];
  /** Cursor of the next (older / further) page, or null on the last page. */
  nextCursor: string | null;
  /** Cursor of the previous page, or null on the first page. */
  prevCursor: string | null;
}

/**
 * Shapes one keyset fetch into a page: `fetched` holds up to limit + 1 rows in display order when
 * going forward, or in reverse display order when going back (`direction = "prev"`).
 */
export function pageOf<Row>(
  fetched: Row[],
  limit: number,
  direction: "next" | "prev",
  hadCursor: boolean,
  keyOf: (row: Row) => (string | number)[],
): Page<Row> {
  const more = fetched.length > limit;
  const rows = fetched.slice(0, limit);
  if (direction === "prev") rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = direction === "next" ? more : hadCursor;
  const hasPrev = direction === "next" ? hadCursor : more;
  return {
    rows,
    nextCursor: hasNext && last ? encodeCursor(keyOf(last)) : null,
    prevCursor: hasPrev && first ? encodeCursor(keyOf(first)) : null,
  };
}
