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
