import type { OrderRequest } from '../../src/domain/order-types';
import { compactReport, isCompact, validateOrder, type ValidationReport } from '../../src/domain/order-validation';
import type { Instrument } from '../../src/domain/order-types';
import { BANKNIFTY_CE, BANKNIFTY_FUT, limitBuy } from './fixtures';

const ALL_CHECKS = ['instrument', 'order_type_allowed', 'required_fields', 'positive_prices', 'sl_price_trigger', 'protective_levels', 'lot_size', 'tick_size', 'disclosed_quantity'];

describe('validateOrder: each rule fails with its own code', () => {
  it.each<{ title: string; order: Partial<OrderRequest>; code: string; check: string; instrument?: Instrument }>([
    { title: 'an SL-M order is on an option (blocked by the exchange)', order: { orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 9_000 }, code: 'SLM_NOT_ALLOWED_FOR_OPTIONS', check: 'order_type_allowed' },
    { title: 'a LIMIT order has no price', order: { pricePaise: undefined }, code: 'PRICE_REQUIRED', check: 'required_fields' },
    { title: 'an SL order has no price', order: { orderType: 'SL', pricePaise: undefined, triggerPricePaise: 10_000 }, code: 'PRICE_REQUIRED', check: 'required_fields' },
    { title: 'a MARKET order carries a price', order: { orderType: 'MARKET', pricePaise: 10_000 }, code: 'PRICE_NOT_ALLOWED', check: 'required_fields' },
    { title: 'an SL-M order carries a price', order: { orderType: 'SL-M', pricePaise: 10_000, triggerPricePaise: 10_000 }, code: 'PRICE_NOT_ALLOWED', check: 'required_fields', instrument: BANKNIFTY_FUT },
    { title: 'an SL order has no trigger price', order: { orderType: 'SL', triggerPricePaise: undefined }, code: 'TRIGGER_PRICE_REQUIRED', check: 'required_fields' },
    { title: 'an SL-M order has no trigger price', order: { orderType: 'SL-M', pricePaise: undefined }, code: 'TRIGGER_PRICE_REQUIRED', check: 'required_fields', instrument: BANKNIFTY_FUT },
    { title: 'a LIMIT order carries a trigger price', order: { triggerPricePaise: 9_995 }, code: 'TRIGGER_PRICE_NOT_ALLOWED', check: 'required_fields' },
    { title: 'a TTL order has no TTL minutes', order: { validity: 'TTL' }, code: 'TTL_REQUIRED', check: 'required_fields' },
    { title: 'a TTL order has 0 TTL minutes', order: { validity: 'TTL', validityTtlMinutes: 0 }, code: 'TTL_REQUIRED', check: 'required_fields' },
    { title: 'the price is zero', order: { pricePaise: 0 }, code: 'PRICE_NOT_POSITIVE', check: 'positive_prices' },
    { title: 'the price is negative', order: { pricePaise: -5 }, code: 'PRICE_NOT_POSITIVE', check: 'positive_prices' },
    { title: 'the stop loss is negative', order: { stopLossPaise: -5 }, code: 'PRICE_NOT_POSITIVE', check: 'positive_prices' },
    { title: 'a sell has a zero take profit', order: { side: 'SELL', takeProfitPaise: 0 }, code: 'PRICE_NOT_POSITIVE', check: 'positive_prices' },
    { title: 'an SL buy has its limit one tick below the trigger', order: { orderType: 'SL', pricePaise: 9_995, triggerPricePaise: 10_000 }, code: 'SL_PRICE_BELOW_TRIGGER', check: 'sl_price_trigger' },
    { title: 'an SL sell has its limit one tick above the trigger', order: { side: 'SELL', orderType: 'SL', pricePaise: 10_005, triggerPricePaise: 10_000 }, code: 'SL_PRICE_ABOVE_TRIGGER', check: 'sl_price_trigger' },
    { title: 'a buy has its stop loss at the entry', order: { stopLossPaise: 10_000 }, code: 'STOP_LOSS_WRONG_SIDE', check: 'protective_levels' },
    { title: 'a buy has its stop loss above the entry', order: { stopLossPaise: 10_100 }, code: 'STOP_LOSS_WRONG_SIDE', check: 'protective_levels' },
    { title: 'a sell has its stop loss below the entry', order: { side: 'SELL', stopLossPaise: 9_900 }, code: 'STOP_LOSS_WRONG_SIDE', check: 'protective_levels' },
    { title: 'an SL-M buy has its stop loss above the trigger (the entry)', order: { orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 10_000, stopLossPaise: 10_050 }, code: 'STOP_LOSS_WRONG_SIDE', check: 'protective_levels', instrument: BANKNIFTY_FUT },
    { title: 'a buy has its take profit below the entry', order: { takeProfitPaise: 9_900 }, code: 'TAKE_PROFIT_WRONG_SIDE', check: 'protective_levels' },
    { title: 'a buy has its take profit at the entry', order: { takeProfitPaise: 10_000 }, code: 'TAKE_PROFIT_WRONG_SIDE', check: 'protective_levels' },
    { title: 'a sell has its take profit above the entry', order: { side: 'SELL', takeProfitPaise: 10_100 }, code: 'TAKE_PROFIT_WRONG_SIDE', check: 'protective_levels' },
    { title: 'the quantity is 45 with lot size 30', order: { quantity: 45 }, code: 'QUANTITY_NOT_LOT_MULTIPLE', check: 'lot_size' },
    { title: 'the quantity is 1 with lot size 30', order: { quantity: 1 }, code: 'QUANTITY_NOT_LOT_MULTIPLE', check: 'lot_size' },
    { title: 'the quantity is zero', order: { quantity: 0 }, code: 'QUANTITY_NOT_POSITIVE', check: 'lot_size' },
    { title: 'the quantity is negative', order: { quantity: -30 }, code: 'QUANTITY_NOT_POSITIVE', check: 'lot_size' },
    { title: 'the quantity is fractional', order: { quantity: 30.5 }, code: 'QUANTITY_NOT_POSITIVE', check: 'lot_size' },
    { title: 'the price is 100.02 with tick 0.05', order: { pricePaise: 10_002 }, code: 'PRICE_NOT_ON_TICK', check: 'tick_size' },
    { title: 'the trigger is off the 0.05 tick', order: { orderType: 'SL', pricePaise: 10_050, triggerPricePaise: 10_001 }, code: 'PRICE_NOT_ON_TICK', check: 'tick_size' },
    { title: 'the stop loss is off the 0.05 tick', order: { stopLossPaise: 9_901 }, code: 'PRICE_NOT_ON_TICK', check: 'tick_size' },
    { title: 'the take profit is off the 0.05 tick', order: { takeProfitPaise: 10_103 }, code: 'PRICE_NOT_ON_TICK', check: 'tick_size' },
    { title: 'the disclosed quantity exceeds the order quantity', order: { quantity: 30, disclosedQuantity: 31 }, code: 'DISCLOSED_QUANTITY_OUT_OF_RANGE', check: 'disclosed_quantity' },
    { title: 'the disclosed quantity is negative', order: { disclosedQuantity: -1 }, code: 'DISCLOSED_QUANTITY_OUT_OF_RANGE', check: 'disclosed_quantity' },
  ])('when $title, then it is rejected with $code', ({ order, code, check, instrument }) => {
    const report = validateOrder(limitBuy(order), instrument ?? BANKNIFTY_CE);
    expect(report.passed).toBe(false);
    expect(report.failure).toMatchObject({ passed: false, code, check });
    expect(report.failure?.message).toEqual(expect.any(String));
    expect(report.checks.filter((c) => !c.passed).map((c) => c.code)).toEqual([code]);
  });

  it('when the instrument is not in the master, then it is rejected with UNKNOWN_INSTRUMENT naming the contract', () => {
    const report = validateOrder(limitBuy({ quantity: 45, pricePaise: 10_002 }), null);
    expect(report.passed).toBe(false);
    expect(report.failure).toMatchObject({ check: 'instrument', code: 'UNKNOWN_INSTRUMENT' });
    expect(report.failure?.message).toContain('NFO:BANKNIFTY26NOV52000CE');
    // Lot and tick cannot be judged without the instrument, so they do not pile on.
    expect(report.checks.filter((c) => !c.passed).map((c) => c.code)).toEqual(['UNKNOWN_INSTRUMENT']);
  });

  it('when an SL-M order is on an option, then the refusal says to send an SL order with a limit price', () => {
    const report = validateOrder(limitBuy({ side: 'SELL', orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 9_000 }), BANKNIFTY_CE);
    expect(report.failure).toMatchObject({ code: 'SLM_NOT_ALLOWED_FOR_OPTIONS', values: { orderType: 'SL-M', instrumentType: 'CE' } });
    expect(report.failure?.message).toMatch(/SL-M orders are blocked for options.*SL order with a limit price/);
  });

  it('when the price is off tick, then the failure names the price and the tick in rupees', () => {
    const report = validateOrder(limitBuy({ pricePaise: 10_002 }), BANKNIFTY_CE);
    expect(report.failure?.values).toEqual({ price: '100.02', tickSize: '0.05' });
    expect(report.failure?.message).toBe('price 100.02 is not a multiple of the tick size 0.05');
  });

  it('when the quantity is not a lot multiple, then the failure carries the quantity and the lot size', () => {
    expect(validateOrder(limitBuy({ quantity: 45 }), BANKNIFTY_CE).failure?.values).toEqual({ quantity: 45, lotSize: 30 });
  });
});

describe('validateOrder: the report', () => {
  it('when several rules fail, then every rule still runs and the first failure (in rule order) is the answer', () => {
    const report = validateOrder(limitBuy({ pricePaise: undefined, quantity: 45, stopLossPaise: 9_901 }), BANKNIFTY_CE);
    expect(report.checks.map((c) => c.check)).toEqual(ALL_CHECKS);
    expect(report.failure?.code).toBe('PRICE_REQUIRED');
    expect(report.checks.filter((c) => !c.passed).map((c) => c.code)).toEqual(['PRICE_REQUIRED', 'QUANTITY_NOT_LOT_MULTIPLE', 'PRICE_NOT_ON_TICK']);
  });

  it('when the order is valid, then all checks pass and there is no failure', () => {
    const report = validateOrder(limitBuy(), BANKNIFTY_CE);
    expect(report.passed).toBe(true);
    expect(report.failure).toBeUndefined();
    expect(report.checks.map((c) => c.check)).toEqual(ALL_CHECKS);
    expect(report.checks.every((c) => c.passed)).toBe(true);
  });
});

describe('validateOrder: passes at the boundaries', () => {
  it.each<{ title: string; order: Partial<OrderRequest>; instrument?: Instrument }>([
    { title: 'the quantity is exactly one lot (30)', order: { quantity: 30 } },
    { title: 'the quantity is many lots (1800)', order: { quantity: 1_800 } },
    { title: 'the price is exactly one tick (0.05)', order: { pricePaise: 5 } },
    { title: 'the price is on the tick (100.05)', order: { pricePaise: 10_005 } },
    { title: 'a MARKET order has neither price nor trigger', order: { orderType: 'MARKET', pricePaise: undefined } },
    { title: 'an SL-M order has only a trigger', order: { orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 10_000 }, instrument: BANKNIFTY_FUT },
    { title: 'an SL buy has its limit equal to the trigger', order: { orderType: 'SL', pricePaise: 10_000, triggerPricePaise: 10_000 } },
    { title: 'an SL buy has its limit above the trigger', order: { orderType: 'SL', pricePaise: 10_050, triggerPricePaise: 10_000 } },
    { title: 'an SL sell has its limit equal to the trigger', order: { side: 'SELL', orderType: 'SL', pricePaise: 10_000, triggerPricePaise: 10_000 } },
    { title: 'an SL sell has its limit below the trigger', order: { side: 'SELL', orderType: 'SL', pricePaise: 9_950, triggerPricePaise: 10_000 } },
    { title: 'a buy has its stop loss one tick below the entry', order: { stopLossPaise: 9_995 } },
    { title: 'a buy has its take profit one tick above the entry', order: { takeProfitPaise: 10_005 } },
    { title: 'a sell has its stop loss one tick above the entry', order: { side: 'SELL', stopLossPaise: 10_005 } },
    { title: 'a sell has its take profit one tick below the entry', order: { side: 'SELL', takeProfitPaise: 9_995 } },
    { title: 'a buy has a bracket: stop below, target above', order: { stopLossPaise: 9_500, takeProfitPaise: 11_000 } },
    { title: 'an SL-M sell has its stop loss above the trigger', order: { side: 'SELL', orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 10_000, stopLossPaise: 10_500 }, instrument: BANKNIFTY_FUT },
    { title: 'a MARKET order has a stop loss (no entry to compare with)', order: { orderType: 'MARKET', pricePaise: undefined, stopLossPaise: 9_000 } },
    { title: 'a TTL order has its minutes', order: { validity: 'TTL', validityTtlMinutes: 5 } },
    { title: 'an IOC order', order: { validity: 'IOC' } },
    { title: 'the disclosed quantity is zero', order: { disclosedQuantity: 0 } },
    { title: 'the disclosed quantity equals the quantity', order: { quantity: 30, disclosedQuantity: 30 } },
  ])('when $title, then it passes', ({ order, instrument }) => {
    const report = validateOrder(limitBuy(order), instrument ?? BANKNIFTY_CE);
    expect(report.failure).toBeUndefined();
    expect(report.passed).toBe(true);
  });
});

describe('compactReport: what the workflow history carries', () => {
  const report: ValidationReport = {
    passed: false, configVersion: 'v1', flags: ['watch_list'],
    checks: [
      { check: 'lot_size', passed: true, status: 'passed' },
      { check: 'freeze_quantity', passed: true, status: 'passed', limit: 600 },
      { check: 'watch_list', passed: true, status: 'passed', flagged: true },
      { check: 'max_quantity', passed: false, status: 'failed', code: 'MAX_QUANTITY_EXCEEDED' },
      { check: 'margin', passed: true, status: 'skipped' },
    ],
  };
  report.failure = report.checks[3];

  it('when a report is compacted, then it keeps the decision, failed and flagged checks and freeze_quantity, and counts the rest', () => {
    const compact = compactReport(report);
    expect(compact.checks.map((c) => c.check)).toEqual(['freeze_quantity', 'watch_list', 'max_quantity']);
    expect(compact).toMatchObject({ passed: false, failure: report.failure, flags: ['watch_list'], configVersion: 'v1', omittedChecks: 2 });
    expect(isCompact(compact)).toBe(true);
    expect(isCompact(report)).toBe(false);
  });

  it('when a compact report is compacted again, then it is unchanged', () => {
    const compact = compactReport(report);
    expect(compactReport(compact)).toEqual(compact);
  });
});
