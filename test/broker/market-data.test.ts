import type { BrokerQuote } from '../../src/broker/kite-gateway';
import { MarketDataCache } from '../../src/broker/market-data';

const quote = (lastPricePaise: number): BrokerQuote => ({
  lastPricePaise, bestBidPaise: lastPricePaise - 5, bestAskPaise: lastPricePaise + 5, volume: 1000, openInterest: 5000, lowerCircuitPaise: 5, upperCircuitPaise: 1_000_000,
});

/** A fake broker that records each GET /quote: the keys asked for and when. */
function fakeBroker(fail = () => false) {
  const calls: { keys: string[]; at: number }[] = [];
  const source = async (keys: string[]) => {
    calls.push({ keys, at: Date.now() });
    await new Promise((r) => setTimeout(r, 5));
    if (fail()) throw new Error('HTTP 503');
    return new Map(keys.map((k, i) => [k, quote(10_000 + i)]));
  };
  return { calls, source };
}

describe('market data for the risk checks', () => {
  it('when many orders ask for quotes at once, then the broker is asked at most once per interval and the keys are batched', async () => {
    const broker = fakeBroker();
    const cache = new MarketDataCache(broker.source, { ttlMs: 1000, minIntervalMs: 200 });
    const keys = ['NFO:A', 'NFO:B', 'NFO:C', 'NFO:D', 'NFO:E'];
    const answers = await Promise.all(keys.map((k) => cache.getQuotes([k])));
    expect(answers.map((a) => a.size)).toEqual([1, 1, 1, 1, 1]);
    expect(broker.calls.map((c) => c.keys)).toEqual([['NFO:A'], ['NFO:B', 'NFO:C', 'NFO:D', 'NFO:E', 'NFO:A']]);
    expect(broker.calls[1].at - broker.calls[0].at).toBeGreaterThanOrEqual(200);
  });

  it('when one expired key forces a fetch, then every key asked for recently is refreshed with it, so rotating symbols do not wait a second each', async () => {
    let now = 1_000_000;
    const broker = fakeBroker();
    const cache = new MarketDataCache(broker.source, { ttlMs: 1000, minIntervalMs: 0, workingSetMs: 60_000, now: () => now });
    await cache.getQuotes(['NFO:A', 'NFO:B']);
    now += 30_000;
    await cache.getQuotes(['NFO:C']);
    now += 1500;
    await cache.getQuotes(['NFO:A']); // expired: one fetch refreshes A, B and C together
    expect(broker.calls.at(-1)?.keys.sort()).toEqual(['NFO:A', 'NFO:B', 'NFO:C']);
    const fetches = broker.calls.length;
    await cache.getQuotes(['NFO:B']);
    await cache.getQuotes(['NFO:C']);
    expect(broker.calls).toHaveLength(fetches);
    now += 61_000; // B and C were last asked for more than a minute ago: they leave the working set
    await cache.getQuotes(['NFO:A']);
    expect(broker.calls.at(-1)?.keys).toEqual(['NFO:A']);
  });

  it('when a quote is younger than the TTL, then it is served from the cache without asking the broker', async () => {
    let now = 1_000_000;
    const broker = fakeBroker();
    const cache = new MarketDataCache(broker.source, { ttlMs: 1000, minIntervalMs: 0, now: () => now });
    const first = (await cache.getQuotes(['NFO:A'])).get('NFO:A');
    now += 999;
    const again = (await cache.getQuotes(['NFO:A'])).get('NFO:A');
    expect(broker.calls).toHaveLength(1);
    expect(again).toEqual(first);
    now += 1;
    await cache.getQuotes(['NFO:A']);
    expect(broker.calls).toHaveLength(2);
  });

  it('when the broker fails, then the old quote is kept with its original receive time (so it ages into STALE) and unknown keys stay absent', async () => {
    let now = 5_000;
    let failing = false;
    const broker = fakeBroker(() => failing);
    const cache = new MarketDataCache(broker.source, { ttlMs: 1000, minIntervalMs: 0, now: () => now });
    await cache.getQuotes(['NFO:A']);
    failing = true;
    now += 3000;
    const after = await cache.getQuotes(['NFO:A', 'NFO:NEW']);
    expect(after.get('NFO:A')?.receivedAtMs).toBe(5_000);
    expect(after.has('NFO:NEW')).toBe(false);
  });
});
