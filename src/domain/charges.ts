/**
 * Broker and statutory charges per executed order (Zerodha F&O options by default; the rates are configuration).
 * Exact: rates are rationals, amounts integer paise (BigInt); each component is rounded half up to the paisa once,
 * on the order's whole turnover, and GST is taken on the rounded brokerage + transaction charge + SEBI fee.
 */
import type { Side } from './order-types';

/** An exact rate: amount = base * num / den. */
export interface Rate { num: bigint; den: bigint }

export interface ChargeRates {
  brokerage: {
    /** Flat fee per executed order, paise. */
    flatPaise: bigint;
    /** When set, brokerage is the lower of the flat fee and this share of the order's turnover. */
    turnoverRate: Rate | null;
  };
  /** STT on the sell side's premium. */
  sttSell: Rate;
  /** Exchange transaction charge on premium, both sides. */
  transaction: Rate;
  /** SEBI turnover fee, both sides. */
  sebi: Rate;
  /** Stamp duty on the buy side's premium. */
  stampBuy: Rate;
  /** GST on brokerage + transaction charge + SEBI fee. */
  gst: Rate;
}

/** Every component in paise. */
export interface Charges {
  brokerage: bigint;
  stt: bigint;
  transaction: bigint;
  sebi: bigint;
  stamp: bigint;
  gst: bigint;
  total: bigint;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "0.03503" (%) -> 3503 / 10^7. Throws on anything but a plain non-negative decimal. */
export function percentRate(percent: string): Rate {
  const m = DECIMAL.exec(percent.trim());
  if (!m) throw new Error(`not a percentage: ${percent}`);
  const frac = m[2] ?? '';
  return { num: BigInt(m[1] + frac), den: 100n * 10n ** BigInt(frac.length) };
}

/** Rupees per crore of turnover (SEBI's "Rs 10 per crore") as a rate: 10 / 10^7. */
export function perCroreRate(rupees: string): Rate {
  const r = percentRate(rupees);
  return { num: r.num, den: (r.den / 100n) * 10_000_000n };
}

/** base * rate, rounded half up to the paisa (amounts here are never negative). */
export function applyRate(basePaise: bigint, rate: Rate): bigint {
  return (basePaise * rate.num * 2n + rate.den) / (rate.den * 2n);
}

export const NO_CHARGES: ChargeRates = {
  brokerage: { flatPaise: 0n, turnoverRate: null },
  sttSell: { num: 0n, den: 1n }, transaction: { num: 0n, den: 1n }, sebi: { num: 0n, den: 1n }, stampBuy: { num: 0n, den: 1n }, gst: { num: 0n, den: 1n },
};

const ZERO: Charges = { brokerage: 0n, stt: 0n, transaction: 0n, sebi: 0n, stamp: 0n, gst: 0n, total: 0n };

/** The charges of one executed order of `turnoverPaise` (quantity x price summed over its fills). */
export function orderCharges(side: Side, turnoverPaise: bigint, rates: ChargeRates): Charges {
  if (turnoverPaise <= 0n) return ZERO;
  const { flatPaise, turnoverRate } = rates.brokerage;
  const brokerage = turnoverRate ? min(flatPaise, applyRate(turnoverPaise, turnoverRate)) : flatPaise;
  const stt = side === 'SELL' ? applyRate(turnoverPaise, rates.sttSell) : 0n;
  const transaction = applyRate(turnoverPaise, rates.transaction);
  const sebi = applyRate(turnoverPaise, rates.sebi);
  const stamp = side === 'BUY' ? applyRate(turnoverPaise, rates.stampBuy) : 0n;
  const gst = applyRate(brokerage + transaction + sebi, rates.gst);
  return { brokerage, stt, transaction, sebi, stamp, gst, total: brokerage + stt + transaction + sebi + stamp + gst };
}

export interface ChargeableFill { quantity: number; pricePaise: number }

/**
 * The order's charges split over its fills, in fill order: fill k carries charges(first k fills) - charges(first
 * k - 1 fills). The fills' charges therefore always add up to the order's charges on its whole turnover, a flat
 * brokerage lands on the first fill, and a fill's share never changes when later fills arrive.
 */
export function chargesPerFill(side: Side, fills: readonly ChargeableFill[], rates: ChargeRates): Charges[] {
  let turnover = 0n;
  let before = ZERO;
  return fills.map((f) => {
    turnover += BigInt(f.quantity) * BigInt(f.pricePaise);
    const after = orderCharges(side, turnover, rates);
    const share = minus(after, before);
    before = after;
    return share;
  });
}

function minus(a: Charges, b: Charges): Charges {
  return {
    brokerage: a.brokerage - b.brokerage, stt: a.stt - b.stt, transaction: a.transaction - b.transaction, sebi: a.sebi - b.sebi,
    stamp: a.stamp - b.stamp, gst: a.gst - b.gst, total: a.total - b.total,
  };
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
