import { describeCheck, NOW_MS, REDUCE_ONLY_SELL, runCheck, type ContextOverrides } from './risk-fixtures';

describeCheck('market_data_fresh', [
  { when: 'the quote is a second old', ctx: {}, outcome: 'passes' },
  { when: 'the quote is exactly the maximum age (5000 ms)', ctx: { quote: { receivedAtMs: NOW_MS - 5000 } }, outcome: 'passes' },
  { when: 'the quote is 5001 ms old', ctx: { quote: { receivedAtMs: NOW_MS - 5001 } }, outcome: 'fails with STALE_MARKET_DATA' },
  { when: 'there is no quote at all', ctx: { quote: null }, outcome: 'fails with STALE_MARKET_DATA' },
  { when: 'there is no quote for a reduce-only exit (fail closed)', ctx: { ...REDUCE_ONLY_SELL, quote: null }, outcome: 'fails with STALE_MARKET_DATA' },
]);

const BAND = { price: { bandBps: 1000 } }; // 10%
const band = (order: ContextOverrides['order']): ContextOverrides => ({ order, limits: BAND });

describeCheck('price_band', [
  { when: 'no band is configured', ctx: { order: { pricePaise: 50_000 } }, outcome: 'is skipped: not configured' },
  { when: 'there is no quote', ctx: { ...band({}), quote: null }, outcome: 'is skipped: no market data' },
  { when: 'the order is a MARKET order', ctx: band({ orderType: 'MARKET', pricePaise: undefined }), outcome: 'is skipped: market order' },
  { when: 'the price is at LTP', ctx: band({}), outcome: 'passes' },
  { when: 'the price is exactly at the upper band edge (110.00)', ctx: band({ pricePaise: 11_000 }), outcome: 'passes' },
  { when: 'the price is one paisa above the band (110.01)', ctx: band({ pricePaise: 11_001 }), outcome: 'fails with PRICE_OUTSIDE_BAND' },
  { when: 'the price is exactly at the lower band edge (90.00)', ctx: band({ pricePaise: 9_000 }), outcome: 'passes' },
  { when: 'the price is one paisa below the band (89.99)', ctx: band({ pricePaise: 8_999 }), outcome: 'fails with PRICE_OUTSIDE_BAND' },
  { when: 'an SL buy has its price in the band and its trigger one paisa below it', ctx: band({ orderType: 'SL', pricePaise: 9_000, triggerPricePaise: 8_999 }), outcome: 'fails with PRICE_OUTSIDE_BAND' },
  { when: 'an SL buy has price and trigger at the band edge', ctx: band({ orderType: 'SL', pricePaise: 9_000, triggerPricePaise: 9_000 }), outcome: 'passes' },
  { when: 'an SL-M trigger is at the upper edge', ctx: band({ orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 11_000 }), outcome: 'passes' },
  { when: 'an SL-M trigger is one paisa above the band', ctx: band({ orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 11_001 }), outcome: 'fails with PRICE_OUTSIDE_BAND' },
]);

const BOUNDS = { price: { minPricePaise: 5_000, maxPricePaise: 20_000 } };
const bounds = (order: ContextOverrides['order'], extra: ContextOverrides = {}): ContextOverrides => ({ order, limits: BOUNDS, ...extra });

describeCheck('price_limits', [
  { when: 'neither bound is configured', ctx: { order: { pricePaise: 1 } }, outcome: 'is skipped: not configured' },
  { when: 'the price is between the bounds', ctx: bounds({}), outcome: 'passes' },
  { when: 'the price equals the minimum (50.00)', ctx: bounds({ pricePaise: 5_000 }), outcome: 'passes' },
  { when: 'the price is one paisa below the minimum', ctx: bounds({ pricePaise: 4_999 }), outcome: 'fails with PRICE_BELOW_MIN' },
  { when: 'the price equals the maximum (200.00)', ctx: bounds({ pricePaise: 20_000 }), outcome: 'passes' },
  { when: 'the price is one paisa above the maximum', ctx: bounds({ pricePaise: 20_001 }), outcome: 'fails with PRICE_ABOVE_MAX' },
  { when: 'only a minimum is configured and the price is high', ctx: { order: { pricePaise: 100_000 }, limits: { price: { minPricePaise: 5_000 } } }, outcome: 'passes' },
  { when: 'an SL buy has its trigger one paisa below the minimum', ctx: bounds({ orderType: 'SL', pricePaise: 5_000, triggerPricePaise: 4_999 }), outcome: 'fails with PRICE_BELOW_MIN' },
  { when: 'an SL-M trigger is above the maximum', ctx: bounds({ orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 20_005 }), outcome: 'fails with PRICE_ABOVE_MAX' },
  { when: 'a MARKET order\'s LTP is above the maximum', ctx: bounds({ orderType: 'MARKET', pricePaise: undefined }, { quote: { lastPricePaise: 25_000 } }), outcome: 'fails with PRICE_ABOVE_MAX' },
  { when: 'a MARKET order\'s LTP is within the bounds', ctx: bounds({ orderType: 'MARKET', pricePaise: undefined }), outcome: 'passes' },
  { when: 'a MARKET order has no quote', ctx: bounds({ orderType: 'MARKET', pricePaise: undefined }, { quote: null }), outcome: 'is skipped: no reference price' },
]);

const CIRCUIT = { price: { circuitLimits: true } }; // the quote's circuit is 50.00-200.00
const circuit = (order: ContextOverrides['order'], extra: ContextOverrides = {}): ContextOverrides => ({ order, limits: CIRCUIT, ...extra });

describeCheck('circuit_limits', [
  { when: 'the check is off', ctx: { order: { pricePaise: 30_000 } }, outcome: 'is skipped: not configured' },
  { when: 'there is no quote', ctx: circuit({}, { quote: null }), outcome: 'is skipped: the quote carries no circuit limits' },
  { when: 'the quote lacks the lower circuit', ctx: circuit({}, { quote: { lowerCircuitPaise: null } }), outcome: 'is skipped: the quote carries no circuit limits' },
  { when: 'the quote lacks the upper circuit', ctx: circuit({}, { quote: { upperCircuitPaise: null } }), outcome: 'is skipped: the quote carries no circuit limits' },
  { when: 'the order is a MARKET order', ctx: circuit({ orderType: 'MARKET', pricePaise: undefined }), outcome: 'is skipped: market order' },
  { when: 'the price is inside the circuit', ctx: circuit({}), outcome: 'passes' },
  { when: 'the price equals the upper circuit', ctx: circuit({ pricePaise: 20_000 }), outcome: 'passes' },
  { when: 'the price is one tick above the upper circuit', ctx: circuit({ pricePaise: 20_005 }), outcome: 'fails with OUTSIDE_CIRCUIT_LIMITS' },
  { when: 'the price equals the lower circuit', ctx: circuit({ pricePaise: 5_000 }), outcome: 'passes' },
  { when: 'the price is one tick below the lower circuit', ctx: circuit({ pricePaise: 4_995 }), outcome: 'fails with OUTSIDE_CIRCUIT_LIMITS' },
  { when: 'an SL buy has its trigger below the lower circuit', ctx: circuit({ orderType: 'SL', pricePaise: 5_000, triggerPricePaise: 4_995 }), outcome: 'fails with OUTSIDE_CIRCUIT_LIMITS' },
]);

describe('price checks: what the failures report', () => {
  it('when the price is 30% from LTP with a 10% band, then the message gives the price, the distance, the LTP and the band', () => {
    const result = runCheck('price_band', band({ pricePaise: 13_000 }));
    expect(result.message).toBe('price 130.00 is 30.00% from LTP 100.00; the band is 10.00%');
    expect(result.values).toEqual({ field: 'price', price: '130.00', ltp: '100.00', deviation: '30.00%' });
    expect(result.limit).toBe('10.00%');
  });

  it('when the trigger is outside the band, then the message names the trigger price', () => {
    const result = runCheck('price_band', band({ orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 12_000 }));
    expect(result.message).toBe('trigger price 120.00 is 20.00% from LTP 100.00; the band is 10.00%');
  });

  it('when the quote is stale, then the failure gives its age, the maximum age and the LTP it saw', () => {
    const result = runCheck('market_data_fresh', { quote: { receivedAtMs: NOW_MS - 6000 } });
    expect(result.values).toEqual({ ageMs: 6000, maxAgeMs: 5000, ltp: '100.00' });
    expect(result.message).toBe('market data is 6000 ms old; the maximum age is 5000 ms');
  });

  it('when there is no quote, then the failure says there is no market data', () => {
    expect(runCheck('market_data_fresh', { quote: null }).message).toBe('no market data for NFO:BANKNIFTY26NOV52000CE');
  });

  it('when the price is above the maximum, then the failure gives the price and both bounds in rupees', () => {
    const result = runCheck('price_limits', bounds({ pricePaise: 20_001 }));
    expect(result).toMatchObject({ message: 'price 200.01 is above the maximum 200.00', values: { price: '200.01' }, limit: { min: '50.00', max: '200.00' } });
  });

  it('when the price is outside the circuit, then the failure gives the circuit in rupees', () => {
    const result = runCheck('circuit_limits', circuit({ pricePaise: 20_005 }));
    expect(result).toMatchObject({ message: 'price 200.05 is outside the circuit limits 50.00-200.00', limit: { lower: '50.00', upper: '200.00' } });
  });
});
