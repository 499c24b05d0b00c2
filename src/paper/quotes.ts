import type { PaperInstrument } from './instruments';
import { kiteTimestamp } from './ist-time';
import { paiseToRupees, roundToTick } from './money';
import type { PriceState } from './price-path';

const DEPTH_LEVELS = 5;

/** Best bid / best ask around the last price: a one-tick spread (the index has no book). */
export function touchPaise(instrument: PaperInstrument, lastPaise: number, side: 'BUY' | 'SELL'): number {
  const tick = instrument.tickPaise;
  return side === 'BUY' ? lastPaise + tick : Math.max(tick, lastPaise - tick);
}

interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

function depthSide(instrument: PaperInstrument, lastPaise: number, side: 'buy' | 'sell'): DepthLevel[] {
  if (!instrument.tradable) {
    return Array.from({ length: DEPTH_LEVELS }, () => ({ price: 0, quantity: 0, orders: 0 }));
  }
  const tick = instrument.tickPaise;
  const seed = instrument.instrument_token;
  return Array.from({ length: DEPTH_LEVELS }, (_, level) => {
    const offset = (level + 1) * tick;
    const price = side === 'buy' ? Math.max(tick, lastPaise - offset) : lastPaise + offset;
    return {
      price: paiseToRupees(price),
      quantity: instrument.lot_size * (1 + ((seed + level * 7) % 15)),
      orders: 1 + ((seed + level * 3) % 9),
    };
  });
}

function circuitLimits(instrument: PaperInstrument, closePaise: number): { lower: number; upper: number } {
  const tick = instrument.tickPaise;
  if (instrument.segment === 'NFO-OPT') return { lower: tick, upper: roundToTick(closePaise * 3, tick) };
  return { lower: roundToTick(closePaise * 0.9, tick), upper: roundToTick(closePaise * 1.1, tick) };
}

export const quoteKey = (i: PaperInstrument): string => `${i.exchange}:${i.tradingsymbol}`;

/** GET /quote/ltp shape. */
export function ltpQuote(instrument: PaperInstrument, s: PriceState): object {
  return { instrument_token: instrument.instrument_token, last_price: paiseToRupees(s.pricePaise) };
}

function ohlc(s: PriceState): object {
  return {
    open: paiseToRupees(s.openPaise),
    high: paiseToRupees(s.highPaise),
    low: paiseToRupees(s.lowPaise),
    close: paiseToRupees(s.closePaise),
  };
}

/** GET /quote/ohlc shape. */
export function ohlcQuote(instrument: PaperInstrument, s: PriceState): object {
  return { ...ltpQuote(instrument, s), ohlc: ohlc(s) };
}

/** GET /quote (full) shape, including 5-level depth. */
export function fullQuote(instrument: PaperInstrument, s: PriceState, now: Date): object {
  const buy = depthSide(instrument, s.pricePaise, 'buy');
  const sell = depthSide(instrument, s.pricePaise, 'sell');
  const limits = circuitLimits(instrument, s.closePaise);
  const oi = instrument.segment === 'INDICES' ? 0 : ((instrument.instrument_token % 97) + 3) * instrument.lot_size * 1000;
  return {
    instrument_token: instrument.instrument_token,
    timestamp: kiteTimestamp(now),
    last_trade_time: kiteTimestamp(s.lastTradeTime ?? now),
    last_price: paiseToRupees(s.pricePaise),
    last_quantity: s.lastQuantity,
    buy_quantity: buy.reduce((sum, l) => sum + l.quantity, 0),
    sell_quantity: sell.reduce((sum, l) => sum + l.quantity, 0),
    volume: s.volume,
    average_price: paiseToRupees(s.pricePaise),
    oi,
    oi_day_high: oi,
    oi_day_low: oi,
    net_change: paiseToRupees(s.pricePaise - s.closePaise),
    lower_circuit_limit: paiseToRupees(limits.lower),
    upper_circuit_limit: paiseToRupees(limits.upper),
    ohlc: ohlc(s),
    depth: { buy, sell },
  };
}
