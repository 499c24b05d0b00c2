import { percentRate, perCroreRate, type ChargeRates } from '../../src/domain/charges';
import type { BrokerOrderSnapshot, Fill, Instrument, OrderRequest } from '../../src/domain/order-types';

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
