import { nextChaseStep, type ChasePolicy } from '../../src/domain/execution-ladder';

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
