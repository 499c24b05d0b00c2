import { percentRate, perCroreRate, type ChargeRates } from '../../src/domain/charges';
import type { BrokerOrderSnapshot, Fill, Instrument, OrderRequest } from '../../src/domain/order-types';
import { initialOrderState, type AuditEvent, type OrderEvent, type OrderState } from '../../src/domain/order-state';
import { transition } from '../../src/domain/order-transition';
import { validateOrder } from '../../src/domain/order-validation';

/** A BANKNIFTY option as the instrument master describes it: lot 30, tick 0.05 rupees (5 paise). */
export const BANKNIFTY_CE: Instrument = {
  tradingsymbol: 'BANKNIFTY26NOV52000CE',
  exchange: 'NFO',
  instrumentToken: 12345678,
  lotSize: 30,
  tickSizePaise: 5,
  expiry: '2026-11-24',
  instrumentType: 'CE',
};

/** A BANKNIFTY future: SL-M orders are allowed on it (the exchange blocks them only for options). */
export const BANKNIFTY_FUT: Instrument = {
  tradingsymbol: 'BANKNIFTY26NOVFUT',
  exchange: 'NFO',
  instrumentToken: 12345679,
  lotSize: 30,
  tickSizePaise: 5,
  expiry: '2026-11-24',
  instrumentType: 'FUT',
  segment: 'NFO-FUT',
};

export function limitBuy(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: 'client-1',
    strategyId: 'strat-1',
    tradingsymbol: BANKNIFTY_CE.tradingsymbol,
    exchange: 'NFO',
    side: 'BUY',
    quantity: 90,
    orderType: 'LIMIT',
    product: 'NRML',
    validity: 'DAY',
    variety: 'regular',
    pricePaise: 10_000,
    ...overrides,
  };
}

export function trade(tradeId: string, quantity: number, pricePaise: number, executedAt = '2026-11-24T05:00:01.000Z'): Fill {
  return { tradeId, quantity, pricePaise, executedAt };
}

export function snapshot(overrides: Partial<BrokerOrderSnapshot> = {}): BrokerOrderSnapshot {
  return {
    brokerOrderId: 'B-1',
    status: 'OPEN',
    statusMessage: null,
    quantity: 90,
    filledQuantity: 0,
    pendingQuantity: 90,
    cancelledQuantity: 0,
    averagePricePaise: 0,
    pricePaise: 10_000,
    triggerPricePaise: null,
    orderType: 'LIMIT',
    trades: [],
    ...overrides,
  };
}

/**
 * Zerodha F&O options, as config/charges.json ships them: brokerage Rs 20 flat per executed order, STT 0.15% of sell
 * premium, NSE transaction 0.03503%, SEBI Rs 10 per crore, stamp duty 0.003% of buy premium, GST 18% on
 * brokerage + transaction + SEBI.
 */
export const ZERODHA: ChargeRates = {
  brokerage: { flatPaise: 2_000n, turnoverRate: null },
  sttSell: percentRate('0.15'), transaction: percentRate('0.03503'), sebi: perCroreRate('10'), stampBuy: percentRate('0.003'), gst: percentRate('18'),
};

/** The order tests' clock: T0 and `at(s)` seconds after it. */
export const T0 = '2026-11-24T04:00:00.000Z';
export const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

/** An order as the API hands it to its workflow (RECEIVED). */
export function received(request: OrderRequest = limitBuy()): OrderState {
  return initialOrderState({ orderId: 'ord-1', tag: 'omstag1', payloadHash: 'h'.repeat(32), request, at: T0 });
}

/** Applies events in turn, collecting every audit record. */
export function applyEvents(state: OrderState, events: OrderEvent[]): { state: OrderState; audit: AuditEvent[] } {
  const audit: AuditEvent[] = [];
  for (const e of events) {
    const r = transition(state, e);
    state = r.state;
    audit.push(...r.audit);
  }
  return { state, audit };
}

export const validated = (request: OrderRequest = limitBuy()): OrderEvent =>
  ({ type: 'VALIDATED', report: validateOrder(request, BANKNIFTY_CE), instrument: BANKNIFTY_CE, at: at(1) });
export const submitted: OrderEvent = { type: 'SUBMITTED', brokerOrderId: 'B-1', recovered: false, at: at(2) };
