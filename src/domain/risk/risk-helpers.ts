/**
 * Shared vocabulary of the risk rules: result builders, the values computed once per order, and exact formatting
 * of ratios as "x.xx%" (integer arithmetic, so a boundary never depends on a float rounding).
 */
import type { Exchange } from '../order-types';
import type { RiskCategory, RiskCheckResult, RiskContext } from './risk-types';

/** Computed once per order and handed to every rule. */
export interface Derived {
  reduceOnly: boolean;
  referencePricePaise: number | null;
  /** quantity x reference price; 0 when there is no reference price. */
  orderValuePaise: number;
}

export type RiskRule = (ctx: RiskContext, derived: Derived) => RiskCheckResult;

export interface PassDetails {
  message?: string;
  values?: Record<string, unknown>;
  limit?: unknown;
  flagged?: boolean;
}

export interface CheckBuilder {
  pass(details?: PassDetails): RiskCheckResult;
  fail(code: string, message: string, values: Record<string, unknown>, limit?: unknown): RiskCheckResult;
  skip(message: string): RiskCheckResult;
}

/** Absent details stay absent (not `undefined` keys), so reports serialize and compare cleanly. */
function defined<T extends object>(details: T): T {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)) as T;
}

/** Binds a check's name and category once, so each rule only states its outcome. */
export function checkOf(check: string, category: RiskCategory): CheckBuilder {
  return {
    pass: (details = {}) => ({ check, category, status: 'passed', passed: true, ...defined(details) }),
    fail: (code, message, values, limit) => ({ check, category, status: 'failed', passed: false, code, message, values, ...defined({ limit }) }),
    skip: (message) => ({ check, category, status: 'skipped', passed: true, message }),
  };
}

export const NOT_CONFIGURED = 'not configured';
export const REDUCE_ONLY = 'reduce-only order';
export const NO_INSTRUMENT = 'no instrument';
export const NO_MARKET_DATA = 'no market data';
export const NO_REFERENCE_PRICE = 'no reference price';

/** 1050 bps -> "10.50%". */
export function formatBps(bps: number | bigint): string {
  const value = BigInt(bps);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}%`;
}

/** part / whole in bps, rounded half up; null when whole is 0. */
export function ratioBps(part: number | bigint, whole: number | bigint): bigint | null {
  const p = BigInt(part);
  const w = BigInt(whole);
  if (w === 0n) return null;
  const num = (p < 0n ? -p : p) * 10_000n;
  const den = w < 0n ? -w : w;
  const bps = (num * 2n + den) / (den * 2n);
  return (p < 0n) !== (w < 0n) ? -bps : bps;
}

/** part / whole as "x.xx%", "n/a" when whole is 0. */
export function formatRatio(part: number | bigint, whole: number | bigint): string {
  const bps = ratioBps(part, whole);
  return bps === null ? 'n/a' : formatBps(bps);
}

/** 1.5 -> 150: ratios and multipliers configured as decimals compare as integer hundredths. */
export function hundredths(value: number): bigint {
  return BigInt(Math.round(value * 100));
}

/** 150n -> "1.50" */
export function formatHundredths(value: bigint): string {
  return `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;
}

export const isDerivativeExchange = (exchange: Exchange | string): boolean => exchange === 'NFO' || exchange === 'BFO';

export const isOptionBuy = (ctx: RiskContext): boolean =>
  ctx.order.side === 'BUY' && (ctx.instrument?.instrumentType === 'CE' || ctx.instrument?.instrumentType === 'PE');

/** The underlying an order belongs to: the instrument master's name, else (absent or blank) the tradingsymbol itself. */
export const underlyingOf = (ctx: RiskContext): string => ctx.instrument?.name || ctx.order.tradingsymbol;

export const sameContract = (a: { tradingsymbol: string; exchange: string }, b: { tradingsymbol: string; exchange: string }): boolean =>
  a.tradingsymbol === b.tradingsymbol && a.exchange === b.exchange;

/** The limit/trigger prices an order carries, by name (MARKET orders carry none). */
export function orderPrices(ctx: RiskContext): Array<[name: 'price' | 'triggerPrice', paise: number]> {
  const prices: Array<['price' | 'triggerPrice', number]> = [];
  if (ctx.order.pricePaise !== undefined) prices.push(['price', ctx.order.pricePaise]);
  if (ctx.order.triggerPricePaise !== undefined) prices.push(['triggerPrice', ctx.order.triggerPricePaise]);
  return prices;
}

const PRICE_LABELS: Record<string, string> = { price: 'price', triggerPrice: 'trigger price', referencePrice: 'reference price' };

/** "triggerPrice" -> "trigger price" for messages. */
export const priceLabel = (name: string): string => PRICE_LABELS[name] ?? name;
