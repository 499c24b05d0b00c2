import { closableQuantity, deadlinesFor, dueDeadline, ocoGroupRequest, priceExit, sessionSquareOff, squareOffInstantMs } from '../../src/domain/position-monitor';
import { exitRequest } from '../../src/domain/order-group-legs';
import { stopLimitPaise } from '../../src/domain/stop-limit';
import type { OrderRequest } from '../../src/domain/order-types';

const IST = (iso: string) => Date.parse(`${iso}+05:30`);

describe('position monitor rules', () => {
  test.each([
    ['BUY', 12_000, 'target'], ['BUY', 11_999, null], ['BUY', 9_000, 'stop'], ['BUY', 8_000, 'stop'],
    ['SELL', 8_000, 'target'], ['SELL', 8_001, null], ['SELL', 12_000, 'stop'],
  ] as const)('when a %s position sees an LTP of %i paise (target 120 / stop 90 for a long, 80 / 120 for a short), then the exit is %s', (side, ltp, want) => {
    const levels = side === 'BUY' ? { takeProfitPaise: 12_000, stopLossPaise: 9_000 } : { takeProfitPaise: 8_000, stopLossPaise: 12_000 };
    expect(priceExit(side, levels, ltp)).toBe(want);
  });

  test('when there is no quote, then nothing is crossed', () => {
    expect(priceExit('BUY', { stopLossPaise: 9_000 }, null)).toBeNull();
  });

  test.each([
    ['2026-11-24T09:20:00', '2026-11-24T15:15:00'],
    ['2026-11-24T15:20:00', '2026-11-24T15:15:00'], // opened after the square-off: due at once
    ['2026-11-24T00:10:00', '2026-11-24T15:15:00'], // just after IST midnight (still the 23rd in UTC)
  ])('when a position opens at %s IST, then the 15:15 square-off falls at %s IST', (opened, want) => {
    expect(squareOffInstantMs(IST(opened), '15:15')).toBe(IST(want));
  });

  test('when both deadlines apply, then the earlier is due first and square-off wins a tie', () => {
    const opened = IST('2026-11-24T13:15:00');
    const d = deadlinesFor(opened, { mode: 'watch', pricePollMs: 1, entryPollMinMs: 1, entryPollMaxMs: 1, timeoutMs: 2 * 3_600_000, squareOffAt: '15:15', maxExitAttempts: 1 });
    expect(dueDeadline(IST('2026-11-24T15:14:59'), d)).toBeNull();
    expect(dueDeadline(IST('2026-11-24T15:15:00'), d)).toBe('square-off');
  });

  test.each([
    ['BUY', 90, 90, null, 90], ['BUY', 90, 30, null, 30], ['BUY', 90, 0, null, 0], ['BUY', 90, -30, null, 0],
    ['BUY', 90, 90, 60, 60], ['BUY', 90, 120, 120, 90], ['SELL', 60, -60, -60, 60], ['SELL', 60, 30, -60, 0],
  ] as const)('when a %s entry holds %i, the strategy book is %i and the broker %s, then at most %i is closed', (side, held, book, broker, want) => {
    expect(closableQuantity(side, held, book, broker)).toBe(want);
  });
});

describe('the OCO stop leg', () => {
  test.each([
    { side: 'BUY' as const, trigger: 9_000, bps: 500, limit: 8_550 }, // sell stop of a long: 5% below 90.00
    { side: 'BUY' as const, trigger: 9_015, bps: 500, limit: 8_560 }, // 85.6425 floored to the tick
    { side: 'SELL' as const, trigger: 12_000, bps: 500, limit: 12_600 }, // buy stop of a short: 5% above 120.00
    { side: 'SELL' as const, trigger: 12_005, bps: 500, limit: 12_610 }, // 126.0525 raised to the tick
    { side: 'BUY' as const, trigger: 5, bps: 5_000, limit: 5 }, // never below one tick
  ])('when a $side position stops at $trigger paise with a $bps bps offset, then the SL limit is $limit paise', ({ side, trigger, bps, limit }) => {
    expect(stopLimitPaise(side, trigger, bps)).toBe(limit);
  });

  const entry: OrderRequest = {
    clientOrderId: 'e1', strategyId: 's1', tradingsymbol: 'BANKNIFTY26NOV52000CE', exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET',
    product: 'MIS', validity: 'DAY', variety: 'regular', takeProfitPaise: 12_000, stopLossPaise: 9_000,
  };
  it('when an offset is configured, then the stop leg is an SL with its limit; a policy recorded without one still gets an SL (the 5% band)', () => {
    expect(ocoGroupRequest(entry, 30, 'monitor-e1', 200)?.exits).toEqual({ targetPricePaise: 12_000, stopTriggerPaise: 9_000, stopPricePaise: 8_820 });
    const old = ocoGroupRequest(entry, 30, 'monitor-e1', null)!;
    expect(exitRequest(old, 'stop', 30)).toMatchObject({ orderType: 'SL', triggerPricePaise: 9_000, pricePaise: 8_550 });
  });
});

describe('the square-off time in the paper session', () => {
  test.each([
    { when: 'live (no paper session)', configured: '15:15', session: undefined, expected: '15:15' },
    { when: 'the paper session is always open', configured: '15:15', session: { alwaysOpen: true }, expected: null },
    { when: 'the paper session keeps hours', configured: '15:15', session: { alwaysOpen: false, squareOffTime: null }, expected: '15:15' },
    { when: 'the paper session sets its own time', configured: '15:15', session: { alwaysOpen: true, squareOffTime: '22:00' }, expected: '22:00' },
    { when: 'the product is not squared off at all', configured: null, session: { alwaysOpen: false, squareOffTime: '15:20' }, expected: null },
  ])('when $when, then the square-off is at $expected', ({ configured, session, expected }) => {
    expect(sessionSquareOff(configured, session)).toBe(expected);
  });
});
