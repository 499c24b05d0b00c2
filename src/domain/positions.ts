/**
 * Position accounting from fills: net quantity, cost of the open quantity (weighted average), realized P&L on each
 * reducing fill, reversal through zero, charges, and the day/net split Kite reports. Pure and exact: quantities are
 * integers, money integer paise (BigInt); the only rounding is a reducing fill's share of the open cost (half up to
 * the paisa), and a full close takes the whole remaining cost, so a round trip's realized P&L is exactly its cash.
 */
import type { Side } from './order-types';
import { istClock } from './risk/ist-clock';

export interface PositionBook {
  /** Net quantity: + long, - short. */
  quantity: number;
  /** What the open quantity cost (always >= 0); its average price is openValuePaise / |quantity|. */
  openValuePaise: bigint;
  /** Realized P&L of every reducing fill since the book was opened. */
  realizedPaise: bigint;
  chargesPaise: bigint;
  buyQuantity: number;
  buyValuePaise: bigint;
  sellQuantity: number;
  sellValuePaise: bigint;
  /** The IST date (YYYY-MM-DD) the day figures below belong to; null before the first fill. */
  tradingDay: string | null;
  /** The position carried into tradingDay (Kite's overnight quantity) and its cost. */
  overnightQuantity: number;
  overnightValuePaise: bigint;
  dayBuyQuantity: number;
  dayBuyValuePaise: bigint;
  daySellQuantity: number;
  daySellValuePaise: bigint;
  dayRealizedPaise: bigint;
  dayChargesPaise: bigint;
}

export interface PositionFill {
  tradeId: string;
  side: Side;
  quantity: number;
  pricePaise: number;
  chargesPaise: bigint;
  /** The fill's IST trading date (istTradingDay of its execution time). */
  tradingDay: string;
}

export const EMPTY_BOOK: PositionBook = {
  quantity: 0, openValuePaise: 0n, realizedPaise: 0n, chargesPaise: 0n,
  buyQuantity: 0, buyValuePaise: 0n, sellQuantity: 0, sellValuePaise: 0n,
  tradingDay: null, overnightQuantity: 0, overnightValuePaise: 0n,
  dayBuyQuantity: 0, dayBuyValuePaise: 0n, daySellQuantity: 0, daySellValuePaise: 0n, dayRealizedPaise: 0n, dayChargesPaise: 0n,
};

/** The IST calendar date of an instant (epoch ms): Kite's day positions are that date's trades. */
export const istTradingDay = (atMs: number): string => istClock(atMs).date;

interface Lot { quantity: number; valuePaise: bigint }

/**
 * One fill against a signed quantity and its cost. Same side (or flat): the cost grows by the fill's value.
 * Opposite side: the reduced part takes its pro-rata share of the cost and realizes the difference; whatever is left
 * of the fill after reaching zero opens the other side at the fill price.
 */
export function tradeLot(lot: Lot, side: Side, quantity: number, pricePaise: number): Lot & { realizedPaise: bigint } {
  const sign = side === 'BUY' ? 1 : -1;
  const price = BigInt(pricePaise);
  if (lot.quantity === 0 || Math.sign(lot.quantity) === sign) {
    return { quantity: lot.quantity + sign * quantity, valuePaise: lot.valuePaise + BigInt(quantity) * price, realizedPaise: 0n };
  }
  const held = Math.abs(lot.quantity);
  const reduced = Math.min(quantity, held);
  const costOut = reduced === held ? lot.valuePaise : roundHalfUp(lot.valuePaise * BigInt(reduced), BigInt(held));
  const proceeds = BigInt(reduced) * price;
  // A long sells (proceeds - cost); a short buys back (cost - outlay).
  const realizedPaise = lot.quantity > 0 ? proceeds - costOut : costOut - proceeds;
  const rest = quantity - reduced;
  if (rest > 0) return { quantity: sign * rest, valuePaise: BigInt(rest) * price, realizedPaise };
  return { quantity: lot.quantity + sign * reduced, valuePaise: lot.valuePaise - costOut, realizedPaise };
}

/** The book with its day figures moved on to `tradingDay` (a later date): today's carry is yesterday's close. */
export function rollTo(book: PositionBook, tradingDay: string): PositionBook {
  if (book.tradingDay !== null && book.tradingDay >= tradingDay) return book;
  return {
    ...book, tradingDay, overnightQuantity: book.quantity, overnightValuePaise: book.openValuePaise,
    dayBuyQuantity: 0, dayBuyValuePaise: 0n, daySellQuantity: 0, daySellValuePaise: 0n, dayRealizedPaise: 0n, dayChargesPaise: 0n,
  };
}

/** Applies one fill; returns the new book and the P&L the fill realized. The caller applies each fill once. */
export function applyFill(book: PositionBook, fill: PositionFill): { book: PositionBook; realizedPaise: bigint } {
  const value = BigInt(fill.quantity) * BigInt(fill.pricePaise);
  const isBuy = fill.side === 'BUY';
  const net = tradeLot({ quantity: book.quantity, valuePaise: book.openValuePaise }, fill.side, fill.quantity, fill.pricePaise);
  let next: PositionBook = {
    ...book, quantity: net.quantity, openValuePaise: net.valuePaise,
    realizedPaise: book.realizedPaise + net.realizedPaise, chargesPaise: book.chargesPaise + fill.chargesPaise,
    buyQuantity: book.buyQuantity + (isBuy ? fill.quantity : 0), buyValuePaise: book.buyValuePaise + (isBuy ? value : 0n),
    sellQuantity: book.sellQuantity + (isBuy ? 0 : fill.quantity), sellValuePaise: book.sellValuePaise + (isBuy ? 0n : value),
  };
  if (book.tradingDay !== null && fill.tradingDay < book.tradingDay) {
    // A fill from an earlier day recorded late: it changes the carry into today, not today's trades.
    const carry = tradeLot({ quantity: book.overnightQuantity, valuePaise: book.overnightValuePaise }, fill.side, fill.quantity, fill.pricePaise);
    return { book: { ...next, overnightQuantity: carry.quantity, overnightValuePaise: carry.valuePaise }, realizedPaise: net.realizedPaise };
  }
  const rolled = rollTo(book, fill.tradingDay);
  next = {
    ...next, tradingDay: rolled.tradingDay, overnightQuantity: rolled.overnightQuantity, overnightValuePaise: rolled.overnightValuePaise,
    dayBuyQuantity: rolled.dayBuyQuantity + (isBuy ? fill.quantity : 0), dayBuyValuePaise: rolled.dayBuyValuePaise + (isBuy ? value : 0n),
    daySellQuantity: rolled.daySellQuantity + (isBuy ? 0 : fill.quantity), daySellValuePaise: rolled.daySellValuePaise + (isBuy ? 0n : value),
    dayRealizedPaise: rolled.dayRealizedPaise + net.realizedPaise, dayChargesPaise: rolled.dayChargesPaise + fill.chargesPaise,
  };
  return { book: next, realizedPaise: net.realizedPaise };
}

/**
 * Applies the fills not yet in `applied` (trade ids already accounted for), in order: replaying a fill is a no-op.
 * The store's oracle for `applied` is the trades table (a fill counts only when its trade row is inserted).
 */
export function applyNewFills(book: PositionBook, fills: readonly PositionFill[], applied: ReadonlySet<string>): PositionBook {
  const seen = new Set(applied);
  let next = book;
  for (const f of fills) {
    if (seen.has(f.tradeId)) continue;
    seen.add(f.tradeId);
    next = applyFill(next, f).book;
  }
  return next;
}

/** What an API shows for one position, money as decimal strings (prices to 4 places, amounts to the paisa). */
export interface PositionFigures {
  quantity: number;
  /** Kite's average_price: the average of the buys while long (the sells while short), carry included for net. */
  averagePrice: string | null;
  /** Cost basis of the open quantity: weighted average, re-based at the fill price on a reversal. P&L uses it. */
  costPrice: string | null;
  buyQuantity: number;
  buyValue: string;
  sellQuantity: number;
  sellValue: string;
  lastPrice: string | null;
  realizedPnl: string;
  /** Open quantity marked at lastPrice against its cost; null without a price. */
  unrealizedPnl: string | null;
  charges: string;
  /** realized + unrealized - charges; null without a price for an open quantity. */
  netPnl: string | null;
}

/** The net position (overnight carry included), P&L since the book opened. */
export function netFigures(book: PositionBook, lastPricePaise: number | null): PositionFigures {
  const carryLong = book.overnightQuantity > 0 ? book.overnightQuantity : 0;
  const carryShort = book.overnightQuantity < 0 ? -book.overnightQuantity : 0;
  const buys = { quantity: carryLong + book.dayBuyQuantity, valuePaise: (carryLong ? book.overnightValuePaise : 0n) + book.dayBuyValuePaise };
  const sells = { quantity: carryShort + book.daySellQuantity, valuePaise: (carryShort ? book.overnightValuePaise : 0n) + book.daySellValuePaise };
  return figures(book.quantity, buys, sells, book, book.realizedPaise, book.chargesPaise, lastPricePaise);
}

/** Kite's day position: today's trades only (as of `today`, an IST date). */
export function dayFigures(book: PositionBook, today: string, lastPricePaise: number | null): PositionFigures {
  const b = rollTo(book, today);
  const quantity = b.dayBuyQuantity - b.daySellQuantity;
  const buys = { quantity: b.dayBuyQuantity, valuePaise: b.dayBuyValuePaise };
  const sells = { quantity: b.daySellQuantity, valuePaise: b.daySellValuePaise };
  // The day's own cost basis: what today's trades opened (the carry's cost belongs to the net view).
  const open = tradeLotsOfDay(b);
  return figures(quantity, buys, sells, { quantity, openValuePaise: open }, b.dayRealizedPaise, b.dayChargesPaise, lastPricePaise);
}

/** Cost of the day quantity: the Kite average of the open side times the quantity. */
function tradeLotsOfDay(b: PositionBook): bigint {
  const q = b.dayBuyQuantity - b.daySellQuantity;
  if (q > 0) return roundHalfUp(b.dayBuyValuePaise * BigInt(q), BigInt(b.dayBuyQuantity));
  if (q < 0) return roundHalfUp(b.daySellValuePaise * BigInt(-q), BigInt(b.daySellQuantity));
  return 0n;
}

/** The open quantity marked at the last price against its cost; 0 when flat, null when open without a price. */
export function unrealizedPaise(open: { quantity: number; openValuePaise: bigint }, lastPricePaise: number | null): bigint | null {
  if (open.quantity === 0) return 0n;
  if (lastPricePaise === null) return null;
  const marked = BigInt(open.quantity) * BigInt(lastPricePaise);
  return open.quantity > 0 ? marked - open.openValuePaise : marked + open.openValuePaise;
}

/** Today's P&L of books (one or a sum): net = realized + unrealized - charges; `unpriced` when an open book had no price. */
export interface DayPnl { realizedPaise: bigint; unrealizedPaise: bigint; chargesPaise: bigint; netPaise: bigint; unpriced: boolean }

/** What today's P&L reads of a book. */
export type DayPnlBook = Pick<PositionBook, 'quantity' | 'openValuePaise' | 'tradingDay' | 'dayRealizedPaise' | 'dayChargesPaise'>;

/**
 * Today's P&L of one book, the one definition /pnl, the risk gate's daily loss and the kill switch's daily-loss check
 * share: realized by today's reducing fills, the open quantity marked to the last price against its cost (overnight
 * carry included; an open book without a price counts no unrealized P&L and is flagged), minus today's charges.
 */
export function dayPnl(book: DayPnlBook, today: string, lastPricePaise: number | null): DayPnl {
  const traded = book.tradingDay === today;
  const realized = traded ? book.dayRealizedPaise : 0n;
  const charges = traded ? book.dayChargesPaise : 0n;
  const unrealized = unrealizedPaise(book, lastPricePaise);
  return { realizedPaise: realized, unrealizedPaise: unrealized ?? 0n, chargesPaise: charges, netPaise: realized + (unrealized ?? 0n) - charges, unpriced: unrealized === null };
}

/** The sum of several books' day P&L (a strategy's, a symbol's, the account's). */
export function addDayPnl(lines: readonly DayPnl[]): DayPnl {
  return lines.reduce((s, l) => ({
    realizedPaise: s.realizedPaise + l.realizedPaise, unrealizedPaise: s.unrealizedPaise + l.unrealizedPaise, chargesPaise: s.chargesPaise + l.chargesPaise,
    netPaise: s.netPaise + l.netPaise, unpriced: s.unpriced || l.unpriced,
  }), { realizedPaise: 0n, unrealizedPaise: 0n, chargesPaise: 0n, netPaise: 0n, unpriced: false });
}

function figures(
  quantity: number, buys: Lot, sells: Lot, open: { quantity: number; openValuePaise: bigint },
  realized: bigint, charges: bigint, lastPricePaise: number | null,
): PositionFigures {
  const kiteSide = quantity > 0 ? buys : quantity < 0 ? sells : null;
  const unrealized = unrealizedPaise(open, lastPricePaise);
  return {
    quantity,
    averagePrice: kiteSide ? ratioRupees(kiteSide.valuePaise, kiteSide.quantity) : null,
    costPrice: open.quantity !== 0 ? ratioRupees(open.openValuePaise, Math.abs(open.quantity)) : null,
    buyQuantity: buys.quantity, buyValue: paiseString(buys.valuePaise), sellQuantity: sells.quantity, sellValue: paiseString(sells.valuePaise),
    lastPrice: lastPricePaise === null ? null : paiseString(BigInt(lastPricePaise)),
    realizedPnl: paiseString(realized),
    unrealizedPnl: unrealized === null ? null : paiseString(unrealized),
    charges: paiseString(charges),
    netPnl: unrealized === null ? null : paiseString(realized + unrealized - charges),
  };
}

/** Rounds n / d half away from zero (d > 0). */
export function roundHalfUp(n: bigint, d: bigint): bigint {
  const q = (abs(n) * 2n + d) / (d * 2n);
  return n < 0n ? -q : q;
}

const abs = (n: bigint) => (n < 0n ? -n : n);

/** 1234567n -> "12345.67" */
export function paiseString(paise: bigint): string {
  const a = abs(paise);
  return `${paise < 0n ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

/** valuePaise / quantity in rupees to 4 places, half up ("123.4567"); null with no quantity. */
export function ratioRupees(valuePaise: bigint, quantity: number): string | null {
  if (quantity === 0) return null;
  const scaled = roundHalfUp(valuePaise * 100n, BigInt(quantity));
  const a = abs(scaled);
  return `${scaled < 0n ? '-' : ''}${a / 10_000n}.${String(a % 10_000n).padStart(4, '0')}`;
}

/** "123.45" (any number of decimals up to 4) -> paise as BigInt, rounded half up to the paisa. */
export function rupeesToPaise(rupees: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,4}))?$/.exec(rupees.trim());
  if (!m) throw new Error(`not an amount: ${rupees}`);
  const units = BigInt(m[2] + (m[3] ?? '').padEnd(4, '0'));
  const paise = roundHalfUp(units, 100n);
  return m[1] ? -paise : paise;
}
