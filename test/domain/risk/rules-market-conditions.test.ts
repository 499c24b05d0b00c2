import { describeCheck, REDUCE_ONLY_SELL, runCheck } from './risk-fixtures';

// bid 99.95 / ask 100.05 is a spread of 0.10 on a mid of 100.00: exactly 10 bps.
const SPREAD = { marketConditions: { maxSpreadBps: 10 } };

describeCheck('bid_ask_spread', [
  { when: 'no maximum spread is configured', ctx: { quote: { bestBidPaise: 5_000 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: SPREAD, quote: { bestBidPaise: 5_000 } }, outcome: 'is skipped: reduce-only order' },
  { when: 'there is no quote', ctx: { limits: SPREAD, quote: null }, outcome: 'is skipped: no market data' },
  { when: 'the spread is exactly the maximum', ctx: { limits: SPREAD }, outcome: 'passes' },
  { when: 'the spread is one paisa wider than the maximum', ctx: { limits: SPREAD, quote: { bestAskPaise: 10_006 } }, outcome: 'fails with SPREAD_TOO_WIDE' },
  { when: 'there is no best bid', ctx: { limits: SPREAD, quote: { bestBidPaise: null } }, outcome: 'fails with NO_TWO_SIDED_MARKET' },
  { when: 'there is no best ask', ctx: { limits: SPREAD, quote: { bestAskPaise: null } }, outcome: 'fails with NO_TWO_SIDED_MARKET' },
  { when: 'the best bid is zero', ctx: { limits: SPREAD, quote: { bestBidPaise: 0 } }, outcome: 'fails with NO_TWO_SIDED_MARKET' },
]);

describeCheck('min_volume', [
  { when: 'no minimum volume is configured', ctx: { quote: { volume: 0 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { marketConditions: { minVolume: 1000 } }, quote: { volume: 0 } }, outcome: 'is skipped: reduce-only order' },
  { when: 'there is no quote', ctx: { limits: { marketConditions: { minVolume: 1000 } }, quote: null }, outcome: 'is skipped: no market data' },
  { when: 'the volume equals the minimum', ctx: { limits: { marketConditions: { minVolume: 1000 } }, quote: { volume: 1000 } }, outcome: 'passes' },
  { when: 'the volume is one below the minimum', ctx: { limits: { marketConditions: { minVolume: 1000 } }, quote: { volume: 999 } }, outcome: 'fails with VOLUME_TOO_LOW' },
  { when: 'the quote carries no volume', ctx: { limits: { marketConditions: { minVolume: 1000 } }, quote: { volume: null } }, outcome: 'fails with MARKET_DATA_INCOMPLETE' },
]);

describeCheck('min_open_interest', [
  { when: 'no minimum open interest is configured', ctx: { quote: { openInterest: 0 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { marketConditions: { minOpenInterest: 5000 } }, quote: { openInterest: 0 } }, outcome: 'is skipped: reduce-only order' },
  { when: 'there is no quote', ctx: { limits: { marketConditions: { minOpenInterest: 5000 } }, quote: null }, outcome: 'is skipped: no market data' },
  { when: 'the open interest equals the minimum', ctx: { limits: { marketConditions: { minOpenInterest: 5000 } }, quote: { openInterest: 5000 } }, outcome: 'passes' },
  { when: 'the open interest is one below the minimum', ctx: { limits: { marketConditions: { minOpenInterest: 5000 } }, quote: { openInterest: 4999 } }, outcome: 'fails with OPEN_INTEREST_TOO_LOW' },
  { when: 'the quote carries no open interest', ctx: { limits: { marketConditions: { minOpenInterest: 5000 } }, quote: { openInterest: null } }, outcome: 'fails with MARKET_DATA_INCOMPLETE' },
]);

describe('market conditions: what the failures report', () => {
  it('when the spread is too wide, then the failure gives bid, ask and the spread as a percentage of the mid', () => {
    const result = runCheck('bid_ask_spread', { limits: SPREAD, quote: { bestBidPaise: 9_900, bestAskPaise: 10_100 } });
    expect(result.values).toEqual({ bid: '99.00', ask: '101.00', spread: '2.00%' });
    expect(result.limit).toBe('0.10%');
    expect(result.message).toBe('the spread 99.00/101.00 is 2.00% of the mid price; the maximum is 0.10%');
  });

  it('when the volume is too low, then the failure gives the volume and the minimum', () => {
    const result = runCheck('min_volume', { limits: { marketConditions: { minVolume: 1000 } }, quote: { volume: 999 } });
    expect(result).toMatchObject({ values: { volume: 999 }, limit: 1000, message: 'volume 999 is below the minimum 1000' });
  });
});
