/**
 * Money and prices as integer paise. Binary floats never enter accounting: decimal strings are parsed
 * digit by digit and averages are computed with BigInt.
 */

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses "123.45" / 123.45 into 12345 paise; null when not a number or finer than a paisa. */
export function toPaise(value: string | number): number | null {
  // String(n) is the shortest round-trip form (123.45 -> "123.45"); NaN and exponent forms fail the regex.
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = DECIMAL.exec(text);
  if (!m) return null;
  const [, sign, whole, fraction = ''] = m;
  const frac = fraction.replace(/0+$/, '');
  if (frac.length > 2) return null;
  const paise = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (!Number.isSafeInteger(paise)) return null;
  return sign ? -paise : paise;
}

/** 12345 -> "123.45" */
export function paiseToRupees(paise: number): string {
  const sign = paise < 0 ? '-' : '';
  const abs = Math.abs(paise);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 12345 -> 123.45 for wire formats that demand a JSON number (Kite's API). */
export function paiseToNumber(paise: number): number {
  return Number(paiseToRupees(paise));
}

export interface PricedQuantity { quantity: number; pricePaise: number }

/** Volume-weighted average price in rupees with 4 decimals ("123.4567"), or null with no quantity. */
export function vwapRupees(fills: readonly PricedQuantity[]): string | null {
  let qty = 0n;
  let value = 0n;
  for (const f of fills) {
    qty += BigInt(f.quantity);
    value += BigInt(f.quantity) * BigInt(f.pricePaise);
  }
  if (qty === 0n) return null;
  // value/qty is in paise; x100 gives 1/10000 rupee units, rounded half up.
  const scaled = (value * 100n * 2n + qty) / (qty * 2n);
  const sign = scaled < 0n ? '-' : '';
  const abs = scaled < 0n ? -scaled : scaled;
  return `${sign}${abs / 10000n}.${String(abs % 10000n).padStart(4, '0')}`;
}
