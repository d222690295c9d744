// The list side of the fake of Twilio's REST API: Twilio's envelopes (first_page_uri, next_page_uri,
// page, page_size, start, end, uri), PageSize / Page / PageToken paging (newest first), the date filters
// (a GMT day: "X>" on or after its midnight, "X<" before it, "X" that day; or an exact time) and field
// filters, over a RecordSource sorted by time. Bad parameters are Twilio-style 400s (FakeApiError).
import type { RecordSource } from "./resources";
import { firstIndexAtOrAfter, gmtDayStart } from "./usage-records";

export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A filter value: a GMT day or an exact time; [from, to) of what it names. */
function filterTime(name: string, value: string): { start: number; dayEnd: number } {
  if (DAY.test(value)) {
    const start = gmtDayStart(value);
    if (!Number.isNaN(start)) return { start, dayEnd: start + 86_400_000 };
  } else {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}T/.test(value)) return { start: ms, dayEnd: ms };
  }
  throw new FakeApiError(400, 20001, `Invalid value for ${name}: "${value}" is not a date (YYYY-MM-DD) or a date-time`);
}

function timeWindow(query: URLSearchParams, name: string): { from: number; to: number } {
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.POSITIVE_INFINITY;
  const on = query.get(name);
  if (on !== null) {
    const t = filterTime(name, on);
    from = t.start;
    to = t.dayEnd === t.start ? t.start + 1 : t.dayEnd;
  }
  const after = query.get(`${name}>`);
  if (after !== null) from = Math.max(from, filterTime(`${name}>`, after).start);
  const before = query.get(`${name}<`);
  if (before !== null) to = Math.min(to, filterTime(`${name}<`, before).start);
  return { from, to };
}

function pageParams(query: URLSearchParams): { pageSize: number; page: number; token?: number } {
  const rawSize = query.get("PageSize") ?? "50";
  const pageSize = Number(rawSize);
  if (!/^\d+$/.test(rawSize) || pageSize < 1 || pageSize > 1000) {
    throw new FakeApiError(400, 20001, `Invalid PageSize "${rawSize}": it must be a whole number from 1 to 1000`);
  }
  const rawPage = query.get("Page") ?? "0";
  if (!/^\d+$/.test(rawPage)) throw new FakeApiError(400, 20001, `Invalid Page "${rawPage}"`);
  const rawToken = query.get("PageToken");
  if (rawToken === null) return { pageSize, page: Number(rawPage) };
  const match = /^PA([0-9a-f]{1,12})$/.exec(rawToken);
  if (!match) throw new FakeApiError(400, 20001, `Invalid PageToken "${rawToken}"`);
  return { pageSize, page: Number(rawPage), token: parseInt(match[1]!, 16) };
}

function uriOf(path: string, query: URLSearchParams, replace: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of query) if (!(key in replace)) q.append(key, value);
  for (const [key, value] of Object.entries(replace)) if (value !== undefined) q.set(key, value);
  return `${path}?${q.toString()}`;
}

/** One page of `source` (indexes [lo, hi) that pass `keep`), newest first; the token is the next index to look at + 1. */
export function pageOf<T>(
  path: string,
  key: string,
  query: URLSearchParams,
  at: (i: number) => T,
  lo: number,
  hi: number,
  keep?: (record: T) => boolean,
) {
  const { pageSize, page, token } = pageParams(query);
  const items: T[] = [];
  let i = Math.min(token ?? hi, hi) - 1;
  for (; i >= lo && items.length < pageSize; i--) {
    const record = at(i);
    if (!keep || keep(record)) items.push(record);
  }
  // Another page only if a record remains (with a filter, the next one that passes it).
  let more = false;
  for (let j = i; j >= lo; j--) {
    if (!keep || keep(at(j))) {
      more = true;
      break;
    }
  }
  const base = { PageSize: String(pageSize) };
  return {
    first_page_uri: uriOf(path, query, { ...base, Page: "0", PageToken: undefined }),
    end: page * pageSize + items.length - 1,
    previous_page_uri: page > 0 ? uriOf(path, query, { ...base, Page: String(page - 1), PageToken: undefined }) : null,
    [key]: items,
    uri: uriOf(path, query, { ...base, Page: String(page), PageToken: token === undefined ? undefined : `PA${token.toString(16)}` }),
    page_size: pageSize,
    start: page * pageSize,
    next_page_uri: more ? uriOf(path, query, { ...base, Page: String(page + 1), PageToken: `PA${(i + 1).toString(16)}` }) : null,
    page,
  };
}

export function timedList<T>(
  path: string,
  key: string,
  query: URLSearchParams,
  source: RecordSource<T> | undefined,
  timeName: string,
  keep?: (record: T) => boolean,
) {
  const s = source ?? emptySource<T>();
  const { from, to } = timeWindow(query, timeName);
  const filtered = from !== Number.NEGATIVE_INFINITY || to !== Number.POSITIVE_INFINITY;
  const lo = firstIndexAtOrAfter(s, from);
  // Records without a time (Infinity) are only listed when no date filter is given.
  const hi = filtered ? firstIndexAtOrAfter(s, Math.min(to, Number.MAX_VALUE)) : s.size;
  return pageOf(path, key, query, (i) => s.at(i), lo, hi, keep);
}

export function fieldFilter<T extends object>(query: URLSearchParams, fields: Record<string, keyof T>): ((record: T) => boolean) | undefined {
  const wanted = Object.entries(fields).flatMap(([param, field]) => {
    const value = query.get(param);
    return value === null ? [] : [[field, value] as const];
  });
  if (wanted.length === 0) return undefined;
  return (record) => wanted.every(([field, value]) => String(record[field]) === value);
}


export function emptySource<T>(): RecordSource<T> {
  return { size: 0, timeAt: () => 0, at: () => undefined as never };
}
