// Builds list URLs from the current search params: change some, drop the page cursor.
export function hrefWith(path: string, params: Record<string, string | undefined>, changes: Record<string, string | undefined>): string {
  const next = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, after: undefined, before: undefined, ...changes })) {
    if (value !== undefined && value !== "") next.set(key, value);
  }
  const query = next.toString();
  return query ? `${path}?${query}` : path;
}

/** The first value of each search param. */
export function firstValues(params: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}
