import { describeCheck, INSTRUMENT, pending, REDUCE_ONLY_SELL, runCheck, type ContextOverrides } from './risk-fixtures';

const FUTURES = { ...INSTRUMENT, tradingsymbol: 'BANKNIFTY26NOVFUT', instrumentType: 'FUT', segment: 'NFO-FUT' };
const FUTURES_BUY: ContextOverrides = { instrument: FUTURES, order: { tradingsymbol: FUTURES.tradingsymbol }, requiredMarginPaise: 150_000_00 };
const ON = { margin: { enabled: true, bufferBps: 0 } };
// An option buy needs its premium: 90 x 100.00 = 9000.00.
const buy = (availableMarginPaise: number | null, extra: ContextOverrides = {}, margin = ON.margin): ContextOverrides =>
  ({ account: { availableMarginPaise }, limits: { margin }, ...extra });
// An option sell needs the broker's answer (requiredMarginPaise).
const sell = (requiredMarginPaise: number | null, availableMarginPaise: number | null): ContextOverrides =>
  ({ order: { side: 'SELL' }, requiredMarginPaise, account: { availableMarginPaise }, limits: ON });

describeCheck('margin', [
  { when: 'the check is disabled', ctx: { account: { availableMarginPaise: 0 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, account: { ...REDUCE_ONLY_SELL.account, availableMarginPaise: 0 }, limits: ON }, outcome: 'is skipped: reduce-only order' },
  { when: 'an option buy\'s premium equals the available margin', ctx: buy(900_000), outcome: 'passes' },
  { when: 'an option buy\'s premium is one paisa more than the available margin', ctx: buy(899_999), outcome: 'fails with INSUFFICIENT_MARGIN' },
  { when: 'a 10% buffer is covered exactly', ctx: buy(990_000, {}, { enabled: true, bufferBps: 1000 }), outcome: 'passes' },
  { when: 'a 10% buffer is short by one paisa', ctx: buy(989_999, {}, { enabled: true, bufferBps: 1000 }), outcome: 'fails with INSUFFICIENT_MARGIN' },
  { when: 'pending orders reserve margin and exactly the premium is left free', ctx: buy(1_000_000, { account: { availableMarginPaise: 1_000_000, pending: [pending({ reservedMarginPaise: 100_000 })] } }), outcome: 'passes' },
  { when: 'pending orders reserve one paisa too much', ctx: buy(1_000_000, { account: { availableMarginPaise: 1_000_000, pending: [pending({ reservedMarginPaise: 100_001 })] } }), outcome: 'fails with INSUFFICIENT_MARGIN' },
  { when: 'an option sell\'s broker margin equals the available margin', ctx: sell(150_000_00, 150_000_00), outcome: 'passes' },
  { when: 'an option sell\'s broker margin exceeds the available margin', ctx: sell(150_000_01, 150_000_00), outcome: 'fails with INSUFFICIENT_MARGIN' },
  { when: 'the broker gave no margin answer for an option sell', ctx: sell(null, 150_000_00), outcome: 'fails with MARGIN_UNAVAILABLE' },
  { when: 'the broker gave no available margin', ctx: buy(null), outcome: 'fails with MARGIN_UNAVAILABLE' },
  { when: 'an option MARKET buy has no quote to price its premium', ctx: buy(900_000, { order: { orderType: 'MARKET', pricePaise: undefined }, quote: null }), outcome: 'fails with MARGIN_UNAVAILABLE' },
  { when: 'a futures buy\'s broker margin equals the available margin', ctx: buy(150_000_00, FUTURES_BUY), outcome: 'passes' },
  { when: 'a futures buy\'s broker margin exceeds the available margin though its notional would fit', ctx: buy(100_000_00, FUTURES_BUY), outcome: 'fails with INSUFFICIENT_MARGIN' },
]);

describe('margin: what it reports', () => {
  it('when the margin is insufficient, then the failure gives required, available, reserved by pending orders and free', () => {
    const result = runCheck('margin', buy(1_000_000, { account: { availableMarginPaise: 1_000_000, pending: [pending({ reservedMarginPaise: 200_000 })] } }));
    expect(result.values).toEqual({ required: '9000.00', buffer: '0.00%', available: '10000.00', reservedByPending: '2000.00', free: '8000.00' });
    expect(result.message).toBe('required margin 9000.00 plus a 0.00% buffer exceeds the free margin 8000.00 (available 10000.00, reserved by pending orders 2000.00)');
  });

  it('when the available margin is unknown, then the failure says so instead of assuming it fits', () => {
    expect(runCheck('margin', buy(null)).message).toBe('the available margin is unknown');
  });
});
