import type { PaperInstrument } from './instruments';
import { paiseToRupees } from './money';
import type { Side } from './order-book';

/** Day position accumulator for one (instrument, product); values in paise. */
export interface PositionAcc {
  instrument: PaperInstrument;
  product: string;
  buyQuantity: number;
  buyValuePaise: number;
  sellQuantity: number;
  sellValuePaise: number;
}

export const netQuantity = (p: PositionAcc): number => p.buyQuantity - p.sellQuantity;

/** Average price of the side that is open now (Kite's intraday convention), fractional paise. */
export function openAveragePaise(p: PositionAcc): number {
  const q = netQuantity(p);
  if (q > 0) return p.buyValuePaise / p.buyQuantity;
  if (q < 0) return p.sellValuePaise / p.sellQuantity;
  return 0;
}

/** P&L split; the only rounding happens when the view turns paise into rupees. */
export function pnlPaise(p: PositionAcc, lastPaise: number): { pnl: number; unrealised: number; realised: number } {
  const q = netQuantity(p);
  const pnl = p.sellValuePaise - p.buyValuePaise + q * lastPaise;
  const unrealised = q === 0 ? 0 : q * (lastPaise - openAveragePaise(p));
  return { pnl, unrealised, realised: pnl - unrealised };
}

export function applyTradeTo(p: PositionAcc, side: Side, quantity: number, pricePaise: number): void {
  if (side === 'BUY') {
    p.buyQuantity += quantity;
    p.buyValuePaise += quantity * pricePaise;
  } else {
    p.sellQuantity += quantity;
    p.sellValuePaise += quantity * pricePaise;
  }
}

export function emptyPosition(instrument: PaperInstrument, product: string): PositionAcc {
  return { instrument, product, buyQuantity: 0, buyValuePaise: 0, sellQuantity: 0, sellValuePaise: 0 };
}

/** Today's positions (the paper broker has no overnight carry: net and day are the same). */
export class Portfolio {
  private readonly positions = new Map<string, PositionAcc>();

  applyTrade(instrument: PaperInstrument, product: string, side: Side, quantity: number, pricePaise: number): void {
    const key = `${instrument.instrument_token}:${product}`;
    let p = this.positions.get(key);
    if (!p) {
      p = emptyPosition(instrument, product);
      this.positions.set(key, p);
    }
    applyTradeTo(p, side, quantity, pricePaise);
  }

  list(): PositionAcc[] {
    return [...this.positions.values()];
  }

  /** Puts back a saved position (a restarted broker). */
  restore(p: PositionAcc): void {
    this.positions.set(`${p.instrument.instrument_token}:${p.product}`, { ...p });
  }

  clear(): void {
    this.positions.clear();
  }
}

const avg = (valuePaise: number, quantity: number): number => (quantity > 0 ? valuePaise / quantity : 0);

/** Kite's position object. */
export function positionView(p: PositionAcc, lastPaise: number, closePaise: number): Record<string, unknown> {
  const q = netQuantity(p);
  const { pnl, unrealised, realised } = pnlPaise(p, lastPaise);
  const r = paiseToRupees;
  return {
    tradingsymbol: p.instrument.tradingsymbol,
    exchange: p.instrument.exchange,
    instrument_token: p.instrument.instrument_token,
    product: p.product,
    quantity: q,
    overnight_quantity: 0,
    multiplier: 1,
    average_price: r(openAveragePaise(p)),
    close_price: r(closePaise),
    last_price: r(lastPaise),
    value: r(p.sellValuePaise - p.buyValuePaise),
    pnl: r(pnl),
    m2m: r(pnl),
    unrealised: r(unrealised),
    realised: r(realised),
    buy_quantity: p.buyQuantity,
    buy_price: r(avg(p.buyValuePaise, p.buyQuantity)),
    buy_value: r(p.buyValuePaise),
    buy_m2m: r(p.buyValuePaise),
    sell_quantity: p.sellQuantity,
    sell_price: r(avg(p.sellValuePaise, p.sellQuantity)),
    sell_value: r(p.sellValuePaise),
    sell_m2m: r(p.sellValuePaise),
    day_buy_quantity: p.buyQuantity,
    day_buy_price: r(avg(p.buyValuePaise, p.buyQuantity)),
    day_buy_value: r(p.buyValuePaise),
    day_sell_quantity: p.sellQuantity,
    day_sell_price: r(avg(p.sellValuePaise, p.sellQuantity)),
    day_sell_value: r(p.sellValuePaise),
  };
}
