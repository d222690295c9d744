// JSON for a jsonb parameter. PostgreSQL's jsonb refuses the NUL character (\u0000) in any string,
// names included, so one stray NUL in a provider's parameter (a webhook's From, a parameter name) would
// fail its whole batch. Every JSON the ledger and the unmatched inbox hand to PostgreSQL goes through
// here: each escaped NUL becomes U+FFFD; an escaped backslash before "u0000" (the six characters, not
// a NUL) is left alone.
export function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  // The regex (a lookbehind at every position) costs ~30 µs over a webhook batch; a NUL is rare.
  return json.includes("\\u0000") ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, "$1\\ufffd") : json;
}
