// Money without floating point: prices are decimal strings parsed into integer micro-units (bigint,
// 6 decimals, the scale of the price columns); amounts are integer cents. Formatting works on the
// digits, never on a float.

export const PRICE_SCALE = 6;
const MICROS = 10n ** BigInt(PRICE_SCALE);
/** At most 12 digits before the point: numeric(18, 6). */
export const PRICE_PATTERN = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/;

/** "0.0085" -> 8500n micro-units; undefined when the text is not a price (>= 0, at most 6 decimals). */
export function parsePriceMicros(text: string): bigint | undefined {
  if (!PRICE_PATTERN.test(text)) return undefined;
  const [whole, fraction = ""] = text.split(".");
  return BigInt(whole!) * MICROS + BigInt(fraction.padEnd(PRICE_SCALE, "0"));
}

/** 8500n -> "0.0085"; at least two decimals, trailing zeros beyond them dropped ("1.15", "2.00"). */
export function formatMicros(micros: bigint): string {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS;
  const fraction = (abs % MICROS).toString().padStart(PRICE_SCALE, "0").replace(/0+$/, "").padEnd(2, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** A numeric the database returned as text ("0.008500", "-1.5") in the canonical form of formatMicros. */
export function canonicalPrice(text: string): string {
  const match = /^(-?)([0-9]+)(?:\.([0-9]*))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal number: ${text}`);
  const [, sign, whole, fraction = ""] = match;
  if (fraction.length > PRICE_SCALE) throw new Error(`more than ${PRICE_SCALE} decimals: ${text}`);
  const micros = BigInt(whole!) * MICROS + BigInt(fraction.padEnd(PRICE_SCALE, "0"));
  return formatMicros(sign === "-" ? -micros : micros);
}

/** The price as the database's numeric literal text ("0.008500"). */
export function microsToNumericText(micros: bigint): string {
  const whole = micros / MICROS;
  return `${whole}.${(micros % MICROS).toString().padStart(PRICE_SCALE, "0")}`;
}

/** A whole number of cents from the database (bigint as text or number), checked to be exact in JS. */
export function centsOf(value: string | number | bigint): number {
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe whole number of cents: ${String(value)}`);
  return n;
}

/** 123456 cents in USD -> "USD 1,234.56" (digits only; no float). */
export function formatCents(cents: number, currency: string): string {
  const negative = cents < 0;
  const abs = BigInt(Math.abs(cents));
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "−" : ""}${currency} ${whole}.${fraction}`;
}
