import type { PaperInstrument } from './instruments';
import { applyRate, paiseToRupees } from './money';
import type { Side } from './order-book';
import { applyTradeTo, netQuantity, openAveragePaise, pnlPaise, type PositionAcc } from './portfolio';

/** SPAN-like margin as a fraction of the underlying notional (a simplification of real SPAN). */
export interface MarginRates {
  spanRate: number;
  exposureRate: number;
}
export const DEFAULT_MARGIN_RATES: MarginRates = { spanRate: 0.06, exposureRate: 0.02 };

/** Zerodha F&O charges; rates are configuration (see INFRA.md), the switch date is when the 2026 STT applies. */
export interface ChargeRates {
  brokerageFlatPaise: number;
  sttOptionsSell: number;
  sttOptionsSellBefore: number;
  sttFuturesSell: number;
  sttFuturesSellBefore: number;
  sttSwitchDate: string;
  exchangeOptions: number;
  exchangeFutures: number;
  sebiRate: number;
  stampOptionsBuy: number;
  stampFuturesBuy: number;
  gstRate: number;
}
export const DEFAULT_CHARGE_RATES: ChargeRates = {
  brokerageFlatPaise: 2000,
  sttOptionsSell: 0.0015,
  sttOptionsSellBefore: 0.001,
  sttFuturesSell: 0.0005,
  sttFuturesSellBefore: 0.0002,
  sttSwitchDate: '2026-04-01',
  exchangeOptions: 0.0003503,
  exchangeFutures: 0.0000173,
  sebiRate: 0.000001,
  stampOptionsBuy: 0.00003,
  stampFuturesBuy: 0.00002,
  gstRate: 0.18,
};

/** What margin code needs to know about the market. */
export interface MarketView {
  lastPaise(instrument: PaperInstrument): number;
  spotPaise(): number;
}

export interface AccountSummary {
  openingPaise: number;
  optionPremiumPaise: number;
  spanPaise: number;
  exposurePaise: number;
  realisedPaise: number;
  unrealisedPaise: number;
  netPaise: number;
}

const isOption = (i: PaperInstrument): boolean => i.segment === 'NFO-OPT';

function blockedFor(p: PositionAcc, market: MarketView, rates: MarginRates): { span: number; exposure: number } {
  const q = netQuantity(p);
  const shortOption = isOption(p.instrument) && q < 0;
  const future = p.instrument.segment === 'NFO-FUT' && q !== 0;
  if (!shortOption && !future) return { span: 0, exposure: 0 };
  const notional = Math.abs(q) * (future ? market.lastPaise(p.instrument) : market.spotPaise());
  return { span: applyRate(notional, rates.spanRate), exposure: applyRate(notional, rates.exposureRate) };
}

/** Cash view of the account: premium paid (negative when net premium received), SPAN+exposure on shorts/futures. */
export function accountSummary(
  positions: readonly PositionAcc[],
  openingPaise: number,
  market: MarketView,
  rates: MarginRates,
): AccountSummary {
  const s: AccountSummary = {
    openingPaise, optionPremiumPaise: 0, spanPaise: 0, exposurePaise: 0, realisedPaise: 0, unrealisedPaise: 0, netPaise: 0,
  };
  for (const p of positions) {
    if (isOption(p.instrument)) s.optionPremiumPaise += Math.round(netQuantity(p) * openAveragePaise(p));
    const blocked = blockedFor(p, market, rates);
    s.spanPaise += blocked.span;
    s.exposurePaise += blocked.exposure;
    const pnl = pnlPaise(p, market.lastPaise(p.instrument));
    s.realisedPaise += Math.round(pnl.realised);
    s.unrealisedPaise += Math.round(pnl.unrealised);
  }
  s.netPaise = openingPaise + s.realisedPaise - s.optionPremiumPaise - s.spanPaise - s.exposurePaise;
  return s;
}

export interface HypotheticalTrade {
  instrument: PaperInstrument;
  product: string;
  side: Side;
  quantity: number;
  pricePaise: number;
}

/** Margin an order would consume if it filled entirely at `pricePaise` (<= 0 when it releases margin). */
export function marginImpact(
  positions: readonly PositionAcc[],
  trade: HypotheticalTrade,
  openingPaise: number,
  market: MarketView,
  rates: MarginRates,
): { requiredPaise: number; availablePaise: number } {
  const before = accountSummary(positions, openingPaise, market, rates);
  const after = positions.map((p) => ({ ...p }));
  let target = after.find((p) => p.instrument === trade.instrument && p.product === trade.product);
  if (!target) {
    target = { instrument: trade.instrument, product: trade.product, buyQuantity: 0, buyValuePaise: 0, sellQuantity: 0, sellValuePaise: 0 };
    after.push(target);
  }
  applyTradeTo(target, trade.side, trade.quantity, trade.pricePaise);
  const next = accountSummary(after, openingPaise, market, rates);
  return { requiredPaise: before.netPaise - next.netPaise, availablePaise: before.netPaise };
}

/** GET /user/margins/equity shape. */
export function equityMarginsView(s: AccountSummary): Record<string, unknown> {
  const r = paiseToRupees;
  const debits = s.optionPremiumPaise + s.spanPaise + s.exposurePaise;
  return {
    enabled: true,
    net: r(s.netPaise),
    available: {
      adhoc_margin: 0, cash: r(s.openingPaise), opening_balance: r(s.openingPaise), live_balance: r(s.netPaise),
      collateral: 0, intraday_payin: 0,
    },
    utilised: {
      debits: r(debits), exposure: r(s.exposurePaise), m2m_realised: r(s.realisedPaise),
      m2m_unrealised: r(s.unrealisedPaise), option_premium: r(s.optionPremiumPaise), payout: 0, span: r(s.spanPaise),
      holding_sales: 0, turnover: 0, liquid_collateral: 0, stock_collateral: 0, delivery: 0,
    },
  };
}

export function commodityMarginsView(): Record<string, unknown> {
  return {
    enabled: false, net: 0,
    available: { adhoc_margin: 0, cash: 0, opening_balance: 0, live_balance: 0, collateral: 0, intraday_payin: 0 },
    utilised: { debits: 0, exposure: 0, m2m_realised: 0, m2m_unrealised: 0, option_premium: 0, payout: 0, span: 0,
      holding_sales: 0, turnover: 0, liquid_collateral: 0, stock_collateral: 0, delivery: 0 },
  };
}

/** Charges of one fully executed order (Kite's `charges` object of POST /margins/orders). */
export function orderCharges(trade: HypotheticalTrade, tradeDate: string, rates: ChargeRates): Record<string, unknown> {
  const option = isOption(trade.instrument);
  const turnover = trade.quantity * trade.pricePaise;
  const newStt = tradeDate >= rates.sttSwitchDate;
  const sttRate = option ? (newStt ? rates.sttOptionsSell : rates.sttOptionsSellBefore) : newStt ? rates.sttFuturesSell : rates.sttFuturesSellBefore;
  const stt = trade.side === 'SELL' ? applyRate(turnover, sttRate) : 0;
  const exchange = applyRate(turnover, option ? rates.exchangeOptions : rates.exchangeFutures);
  const sebi = applyRate(turnover, rates.sebiRate);
  const stamp = trade.side === 'BUY' ? applyRate(turnover, option ? rates.stampOptionsBuy : rates.stampFuturesBuy) : 0;
  const brokerage = option ? rates.brokerageFlatPaise : Math.min(rates.brokerageFlatPaise, applyRate(turnover, 0.0003));
  const gst = applyRate(brokerage + exchange + sebi, rates.gstRate);
  const r = paiseToRupees;
  return {
    transaction_tax: r(stt), transaction_tax_type: 'stt', exchange_turnover_charge: r(exchange),
    sebi_turnover_charge: r(sebi), brokerage: r(brokerage), stamp_duty: r(stamp),
    gst: { igst: r(gst), cgst: 0, sgst: 0, total: r(gst) },
    total: r(stt + exchange + sebi + stamp + brokerage + gst),
  };
}

/** One entry of POST /margins/orders: premium for option buys, SPAN-like % of underlying notional for sells. */
export function orderMarginEstimate(
  trade: HypotheticalTrade,
  market: MarketView,
  rates: MarginRates,
  chargeRates: ChargeRates,
  tradeDate: string,
): Record<string, unknown> {
  const option = isOption(trade.instrument);
  const premium = option && trade.side === 'BUY' ? trade.quantity * trade.pricePaise : 0;
  const blocked = option && trade.side === 'BUY' ? 0 : trade.quantity * (option ? market.spotPaise() : trade.pricePaise);
  const span = applyRate(blocked, rates.spanRate);
  const exposure = applyRate(blocked, rates.exposureRate);
  const r = paiseToRupees;
  return {
    type: 'equity', tradingsymbol: trade.instrument.tradingsymbol, exchange: trade.instrument.exchange,
    span: r(span), exposure: r(exposure), option_premium: r(premium), additional: 0, bo: 0, cash: 0, var: 0,
    pnl: { realised: 0, unrealised: 0 }, leverage: 1, charges: orderCharges(trade, tradeDate, chargeRates),
    total: r(span + exposure + premium),
  };
}
