import { completionDue, nextChaseStep, type ChasePolicy } from '../../src/domain/execution-ladder';

const policy: ChasePolicy = { stepAfterMs: 1000, steps: 3, maxMoveBps: 500, thenMarket: true }; // up to 5% in 3 rungs
const step = (over: Partial<Parameters<typeof nextChaseStep>[0]>) =>
  nextChaseStep({ side: 'BUY', originalPricePaise: 10_000, currentPricePaise: 10_000, ltpPaise: 11_000, tickPaise: 5, step: 1, policy, ...over });

describe('chasing a resting LIMIT order towards the market', () => {
  it.each([
    { title: 'a buy far below the market moves a third of the 5% cap per rung', over: { step: 1 }, price: 10_165 }, // 100 + 5/3 = 101.666 -> 101.65
    { title: 'its second rung', over: { step: 2, currentPricePaise: 10_165 }, price: 10_330 },
    { title: 'its last rung reaches the 5% cap exactly', over: { step: 3, currentPricePaise: 10_330 }, price: 10_500 },
    { title: 'a buy whose market is inside the cap stops at the market', over: { step: 3, ltpPaise: 10_200 }, price: 10_200 },
    { title: 'a sell far above the market moves down, rounded up to the tick', over: { side: 'SELL' as const, ltpPaise: 9_000, step: 1 }, price: 9_835 },
    { title: 'a sell whose market is inside the cap stops at the market', over: { side: 'SELL' as const, ltpPaise: 9_900, step: 3 }, price: 9_900 },
    { title: 'without a quote the cap is the target', over: { ltpPaise: null, step: 3 }, price: 10_500 },
    { title: 'a rung never moves the price backwards', over: { step: 1, currentPricePaise: 10_400 }, price: 10_400 },
  ])('when $title, then the new limit is $price paise', ({ over, price }) => {
    expect(step(over)).toMatchObject({ kind: 'reprice', pricePaise: price });
  });

  it('when every rung is used, then the next step converts to MARKET once, and then the ladder is done', () => {
    expect(step({ step: 4 })).toEqual({ kind: 'market', step: 4 });
    expect(step({ step: 5 })).toEqual({ kind: 'done', step: 5 });
    expect(nextChaseStep({ side: 'BUY', originalPricePaise: 10_000, currentPricePaise: 10_000, ltpPaise: 11_000, tickPaise: 5, step: 4, policy: { ...policy, thenMarket: false } })).toEqual({ kind: 'done', step: 4 });
  });
});

describe('completing a partly filled order', () => {
  const at = { firstFillAtMs: 1_000_000, firstFillPricePaise: 10_000, nowMs: 1_000_000, ltpPaise: 10_000 };
  it.each([
    { title: 'cancel-remaining acts at once', policy: { policy: 'cancel-remaining' as const, action: 'cancel' as const }, over: {}, due: 'cancel' },
    { title: 'a time policy waits until afterMs has passed', policy: { policy: 'time' as const, action: 'market' as const, afterMs: 5000 }, over: { nowMs: 1_004_999 }, due: null },
    { title: 'a time policy acts exactly at afterMs', policy: { policy: 'time' as const, action: 'market' as const, afterMs: 5000 }, over: { nowMs: 1_005_000 }, due: 'market' },
    { title: 'a price policy waits while the move is exactly at the threshold', policy: { policy: 'price' as const, action: 'cancel' as const, moveBps: 100 }, over: { ltpPaise: 10_100 }, due: null },
    { title: 'a price policy acts one tick beyond it, either way', policy: { policy: 'price' as const, action: 'cancel' as const, moveBps: 100 }, over: { ltpPaise: 9_895 }, due: 'cancel' },
    { title: 'a price policy without a quote waits', policy: { policy: 'price' as const, action: 'market' as const, moveBps: 100 }, over: { ltpPaise: null }, due: null },
  ])('when $title, then the answer is $due', ({ policy, over, due }) => {
    expect(completionDue(policy, { ...at, ...over })).toBe(due);
  });
});
