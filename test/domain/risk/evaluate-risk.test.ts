import type { OrderRequest } from '../../../src/domain/order-types';
import { evaluateRisk, isReduceOnly, marginToReservePaise, referencePricePaise } from '../../../src/domain/risk/evaluate-risk';
import type { AccountSnapshot, RiskCategory } from '../../../src/domain/risk/risk-types';
import { limitBuy } from '../fixtures';
import { account, baseContext, INSTRUMENT, pending, position, quote, REDUCE_ONLY_SELL, type ContextOverrides } from './risk-fixtures';

const ALL_CHECKS: Array<[string, RiskCategory]> = [
  ['kill_switch', 'daily_limits'],
  ['restricted_list', 'lists'],
  ['validity_rules', 'parameters'], ['product_rules', 'parameters'], ['disclosed_quantity_bounds', 'parameters'],
  ['segment', 'instrument'], ['expiry', 'instrument'], ['freeze_quantity', 'instrument'],
  ['market_hours', 'market_hours'],
  ['market_data_fresh', 'price'], ['price_band', 'price'], ['price_limits', 'price'], ['circuit_limits', 'price'],
  ['bid_ask_spread', 'market_conditions'], ['min_volume', 'market_conditions'], ['min_open_interest', 'market_conditions'],
  ['max_quantity', 'size'], ['max_order_value', 'size'], ['fat_finger', 'size'],
  ['stop_loss_required', 'risk_per_trade'], ['risk_per_trade', 'risk_per_trade'], ['risk_reward', 'risk_per_trade'],
  ['max_open_positions', 'exposure'], ['max_position_per_symbol', 'exposure'], ['concentration', 'exposure'],
  ['daily_order_count', 'daily_limits'], ['daily_turnover', 'daily_limits'], ['daily_loss_limit', 'daily_limits'],
  ['margin', 'margin'],
  ['watch_list', 'lists'],
];

/** Every limit switched on with room to spare for the base order. */
const STRICT: ContextOverrides['limits'] = {
  instrument: { freezeQuantities: { BANKNIFTY: 900 } },
  marketHours: { enabled: true },
  price: { bandBps: 1000, minPricePaise: 5, maxPricePaise: 100_000, circuitLimits: true },
  marketConditions: { maxSpreadBps: 50, minVolume: 1000, minOpenInterest: 1000 },
  size: { maxLots: 10, maxOrderValuePaise: 10_000_000, fatFinger: { multiplier: 5, minSamples: 3 } },
  riskPerTrade: { maxRiskBpsOfCapital: 100, minRiskReward: 1.5, requireStopLoss: true },
  exposure: { maxOpenPositions: 5, maxLotsPerSymbol: 10, maxConcentrationBps: 2000 },
  daily: { maxOrders: 100, maxTurnoverPaise: 100_000_000, maxLossPaise: 500_000 },
  margin: { enabled: true, bufferBps: 1000 },
  lists: { restricted: ['NIFTY'], watch: [] },
};
const STRICT_ORDER = { stopLossPaise: 9_800, takeProfitPaise: 10_400 };
const HISTORY = { recent: { quantities: [90, 60, 120], valuesPaise: [900_000, 600_000, 1_200_000] } };

describe('evaluateRisk: the report', () => {
  it('when an order is evaluated, then the report lists all 30 checks in order with their categories', () => {
    const report = evaluateRisk(baseContext());
    expect(report.checks.map((c) => [c.check, c.category])).toEqual(ALL_CHECKS);
  });

  it('when every optional limit is off, then the order passes with the limits skipped as not configured', () => {
    const report = evaluateRisk(baseContext());
    expect(report).toMatchObject({ passed: true, flags: [], reduceOnly: false, orderValuePaise: 900_000, referencePricePaise: 10_000 });
    expect(report.failure).toBeUndefined();
    const passed = report.checks.filter((c) => c.status === 'passed').map((c) => c.check);
    expect(passed).toEqual(['kill_switch', 'restricted_list', 'validity_rules', 'product_rules', 'segment', 'expiry', 'market_data_fresh', 'watch_list']);
    expect(report.checks.every((c) => c.passed === (c.status !== 'failed'))).toBe(true);
  });

  it('when every limit is on and the order is within all of them, then no check is skipped except the disclosed quantity', () => {
    const report = evaluateRisk(baseContext({ order: STRICT_ORDER, account: HISTORY, limits: STRICT }));
    expect(report.failure).toBeUndefined();
    expect(report.checks.filter((c) => c.status === 'skipped').map((c) => c.check)).toEqual(['disclosed_quantity_bounds']);
  });

  it('when several checks fail, then every check still runs and the failure is the first in order', () => {
    const report = evaluateRisk(baseContext({
      order: { tradingsymbol: 'NIFTY26NOV24000CE', product: 'CNC' },
      quote: null,
      limits: { lists: { restricted: ['NIFTY26NOV24000CE'], watch: [] } },
    }));
    expect(report.passed).toBe(false);
    expect(report.checks).toHaveLength(30);
    expect(report.failure).toMatchObject({ check: 'restricted_list', code: 'RESTRICTED_SYMBOL' });
    expect(report.checks.filter((c) => c.status === 'failed').map((c) => c.code)).toEqual(['RESTRICTED_SYMBOL', 'PRODUCT_NOT_ALLOWED', 'STALE_MARKET_DATA']);
  });

  it('when the underlying is on the watch list, then the order passes and flags contain watch_list', () => {
    const report = evaluateRisk(baseContext({ limits: { lists: { restricted: [], watch: ['BANKNIFTY'] } } }));
    expect(report.passed).toBe(true);
    expect(report.flags).toEqual(['watch_list']);
  });

  it('when the same context is evaluated twice, then the reports are equal and the context is untouched', () => {
    const ctx = baseContext({ order: STRICT_ORDER, account: { ...HISTORY, positions: [position()], pending: [pending()] }, limits: STRICT });
    const before = structuredClone(ctx);
    expect(evaluateRisk(ctx)).toEqual(evaluateRisk(ctx));
    expect(ctx).toEqual(before);
  });
});

describe('evaluateRisk: the daily loss limit and reduce-only orders', () => {
  const breached: Partial<AccountSnapshot> = {
    positions: [position({ netQuantity: 90 })],
    day: { orderCount: 5, turnoverPaise: 0, grossPnlPaise: -600_000, chargesPaise: 10_000 },
  };
  const ctx = (order: ContextOverrides['order']) => baseContext({ order, account: breached, limits: { ...STRICT, lists: { restricted: [], watch: [] } } });

  it('when the daily loss limit is breached, then a reduce-only sell of the held long passes', () => {
    const report = evaluateRisk(ctx({ side: 'SELL' }));
    expect(report).toMatchObject({ passed: true, reduceOnly: true });
    expect(report.checks.find((c) => c.check === 'daily_loss_limit')).toMatchObject({ status: 'passed', message: expect.stringContaining('reduce-only orders still pass') });
  });

  it('when the daily loss limit is breached, then a new buy fails with DAILY_LOSS_LIMIT', () => {
    const report = evaluateRisk(ctx(STRICT_ORDER));
    expect(report).toMatchObject({ passed: false, reduceOnly: false, failure: { check: 'daily_loss_limit', code: 'DAILY_LOSS_LIMIT' } });
  });

  it('when the daily loss limit is breached, then a sell larger than the held long (a reversal) fails', () => {
    const report = evaluateRisk(ctx({ side: 'SELL', quantity: 120, ...{ stopLossPaise: 10_200, takeProfitPaise: 9_600 } }));
    expect(report.failure).toMatchObject({ code: 'DAILY_LOSS_LIMIT' });
  });
});

describe('referencePricePaise', () => {
  it.each<{ when: string; order: Partial<OrderRequest>; withQuote: boolean; expected: number | null }>([
    { when: 'a LIMIT order', order: { pricePaise: 10_050 }, withQuote: true, expected: 10_050 },
    { when: 'an SL order', order: { orderType: 'SL', pricePaise: 10_100, triggerPricePaise: 10_050 }, withQuote: true, expected: 10_100 },
    { when: 'an SL-M order', order: { orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 10_050 }, withQuote: true, expected: 10_050 },
    { when: 'a MARKET order with a quote', order: { orderType: 'MARKET', pricePaise: undefined }, withQuote: true, expected: 10_000 },
    { when: 'a MARKET order without a quote', order: { orderType: 'MARKET', pricePaise: undefined }, withQuote: false, expected: null },
  ])('when $when is priced, then the reference is $expected', ({ order, withQuote, expected }) => {
    expect(referencePricePaise(limitBuy(order), withQuote ? quote() : null)).toBe(expected);
  });
});

describe('isReduceOnly', () => {
  const OTHER = 'BANKNIFTY26NOV51000PE';
  it.each<{ when: string; order: Partial<OrderRequest>; book: Partial<AccountSnapshot>; expected: boolean }>([
    { when: 'nothing is held', order: { side: 'SELL' }, book: {}, expected: false },
    { when: 'a sell equals the held long', order: { side: 'SELL', quantity: 90 }, book: { positions: [position({ netQuantity: 90 })] }, expected: true },
    { when: 'a sell is smaller than the held long', order: { side: 'SELL', quantity: 30 }, book: { positions: [position({ netQuantity: 90 })] }, expected: true },
    { when: 'a sell is larger than the held long', order: { side: 'SELL', quantity: 120 }, book: { positions: [position({ netQuantity: 90 })] }, expected: false },
    { when: 'a buy adds to the held long', order: { side: 'BUY', quantity: 30 }, book: { positions: [position({ netQuantity: 90 })] }, expected: false },
    { when: 'a buy covers part of a short', order: { side: 'BUY', quantity: 60 }, book: { positions: [position({ netQuantity: -90 })] }, expected: true },
    { when: 'a sell would add to a short', order: { side: 'SELL', quantity: 30 }, book: { positions: [position({ netQuantity: -90 })] }, expected: false },
    { when: 'the position is flat', order: { side: 'SELL', quantity: 30 }, book: { positions: [position({ netQuantity: 0 })] }, expected: false },
    { when: 'a pending sell of 30 already reduces a 90 long and the sell is 60', order: { side: 'SELL', quantity: 60 }, book: { positions: [position({ netQuantity: 90 })], pending: [pending({ side: 'SELL', remainingQuantity: 30 })] }, expected: true },
    { when: 'a pending sell of 30 already reduces a 90 long and the sell is 90', order: { side: 'SELL', quantity: 90 }, book: { positions: [position({ netQuantity: 90 })], pending: [pending({ side: 'SELL', remainingQuantity: 30 })] }, expected: false },
    { when: 'a pending buy (same side as the long) does not use up the long', order: { side: 'SELL', quantity: 90 }, book: { positions: [position({ netQuantity: 90 })], pending: [pending({ side: 'BUY', remainingQuantity: 30 })] }, expected: true },
    { when: 'a pending sell of another contract does not count', order: { side: 'SELL', quantity: 90 }, book: { positions: [position({ netQuantity: 90 })], pending: [pending({ side: 'SELL', tradingsymbol: OTHER })] }, expected: true },
    { when: 'only another contract is held', order: { side: 'SELL', quantity: 30 }, book: { positions: [position({ tradingsymbol: OTHER, netQuantity: 90 })] }, expected: false },
    { when: 'the same tradingsymbol is held on another exchange', order: { side: 'SELL', quantity: 30 }, book: { positions: [position({ exchange: 'BFO', netQuantity: 90 })] }, expected: false },
  ])('when $when, then reduce-only is $expected', ({ order, book, expected }) => {
    expect(isReduceOnly(limitBuy(order), account(book))).toBe(expected);
  });
});

describe('marginToReservePaise', () => {
  const FUTURES = { ...INSTRUMENT, tradingsymbol: 'BANKNIFTY26NOVFUT', instrumentType: 'FUT', segment: 'NFO-FUT' };
  it.each<{ when: string; ctx: ContextOverrides; expected: number }>([
    { when: 'a reduce-only exit', ctx: REDUCE_ONLY_SELL, expected: 0 },
    { when: 'an option buy (the premium)', ctx: {}, expected: 900_000 },
    { when: 'a PE option buy (the premium)', ctx: { instrument: { ...INSTRUMENT, instrumentType: 'PE' } }, expected: 900_000 },
    { when: 'an option sell (the broker margin)', ctx: { order: { side: 'SELL' }, requiredMarginPaise: 150_000_00 }, expected: 150_000_00 },
    { when: 'an option sell without a broker margin answer', ctx: { order: { side: 'SELL' }, requiredMarginPaise: null }, expected: 0 },
    { when: 'a futures buy (the broker margin)', ctx: { instrument: FUTURES, order: { tradingsymbol: FUTURES.tradingsymbol }, requiredMarginPaise: 120_000_00 }, expected: 120_000_00 },
  ])('when the order is $when, then $expected paise is reserved', ({ ctx, expected }) => {
    const context = baseContext(ctx);
    expect(marginToReservePaise(context, evaluateRisk(context))).toBe(expected);
  });
});
