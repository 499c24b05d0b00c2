import { KiteGateway } from '../../src/broker/kite-gateway';
import { ACCESS_TOKEN, API_KEY, startHarness, type Harness } from '../paper/paper-harness';

let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(() => h.close());

describe('the Kite gateway against the paper broker', () => {
  it('when an instrument is looked up, then it carries lot, tick, expiry, underlying and segment from the dump', async () => {
    const gateway = new KiteGateway({ apiKey: API_KEY, accessToken: ACCESS_TOKEN, root: h.root, timeoutMs: 5000 });
    const [paper] = h.broker.instruments().filter((i) => i.segment === 'NFO-OPT');
    const found = await gateway.getInstrument('NFO', paper.tradingsymbol);
    expect(found).toMatchObject({ tradingsymbol: paper.tradingsymbol, lotSize: 30, tickSizePaise: 5, name: 'BANKNIFTY', segment: 'NFO-OPT', expiry: String(paper.expiry).slice(0, 10) });
    expect(await gateway.getInstrument('NFO', 'NOSUCHSYMBOL')).toBeNull();
  });

  it('when a new IST trading day starts, then the instrument dump is fetched again even inside the TTL', async () => {
    let now = Date.parse('2026-11-24T17:30:00.000Z'); // 23:00 IST
    const gateway = new KiteGateway({ apiKey: API_KEY, accessToken: ACCESS_TOKEN, root: h.root, timeoutMs: 5000, instrumentsTtlMs: 6 * 3600_000, now: () => now });
    const fetches = jest.spyOn((gateway as unknown as { kite: { getInstruments: () => Promise<unknown> } }).kite, 'getInstruments');
    const symbol = h.broker.instruments().find((i) => i.segment === 'NFO-OPT')!.tradingsymbol;
    await gateway.getInstrument('NFO', symbol);
    now += 30 * 60_000;
    await gateway.getInstrument('NFO', symbol); // 23:30 IST, same day: cached
    expect(fetches).toHaveBeenCalledTimes(1);
    now += 60 * 60_000; // 00:30 IST the next day, 1.5 h after the first fetch
    await gateway.getInstrument('NFO', symbol);
    expect(fetches).toHaveBeenCalledTimes(2);
  });
});

describe('the Kite gateway when the access token expires', () => {
  it('when the broker answers 403 and an operator has supplied a fresh token, then the gateway adopts it and the call succeeds', async () => {
    let supplied: string | null = null;
    const gateway = new KiteGateway({ apiKey: API_KEY, accessToken: ACCESS_TOKEN, root: h.root, timeoutMs: 5000, tokenSource: async () => supplied });
    const symbol = h.broker.instruments().find((i) => i.segment === 'NFO-OPT')!.tradingsymbol;
    const order = await h.place({ tag: 'tok-rot' });
    await h.control('POST', '/control/session', { accessToken: 'rotated-token-1' });
    try {
      await expect(gateway.getQuotes([`NFO:${symbol}`])).rejects.toMatchObject({ kind: 'token' });
      supplied = 'rotated-token-1';
      const quotes = await gateway.getQuotes([`NFO:${symbol}`]);
      expect(quotes.size).toBe(1);
      await expect(gateway.findOrderByTag('nothing')).resolves.toBeNull();
      await h.control('POST', '/control/session', { accessToken: 'rotated-token-2' });
      supplied = 'rotated-token-2';
      // two concurrent calls meet the 403 together: both must end up on the fresh token
      await expect(gateway.getOrderSnapshot(String(order.order_id))).resolves.toMatchObject({ brokerOrderId: String(order.order_id) });
    } finally {
      await h.control('POST', '/control/session', { accessToken: ACCESS_TOKEN });
    }
  });

  it('when the broker refuses the token, then the expiry alert fires once per refused token and the expired flag clears on a fresh one', async () => {
    let supplied: string | null = null;
    let alerts = 0;
    const gateway = new KiteGateway({ apiKey: API_KEY, accessToken: ACCESS_TOKEN, root: h.root, timeoutMs: 5000, tokenSource: async () => supplied, onSessionExpired: () => { alerts++; } });
    await h.control('POST', '/control/session', { accessToken: 'rotated-token-3' });
    try {
      await expect(gateway.getAvailableMargin()).rejects.toMatchObject({ kind: 'token' });
      await expect(gateway.getAvailableMargin()).rejects.toMatchObject({ kind: 'token' });
      expect(alerts).toBe(1);
      expect(await gateway.sessionExpired()).toBe(true);
      supplied = 'rotated-token-3'; // the daily login stored it
      expect(await gateway.sessionExpired()).toBe(false);
      await expect(gateway.getAvailableMargin()).resolves.toBeGreaterThan(0);
      await h.control('POST', '/control/session', { accessToken: 'rotated-token-4' });
      await expect(gateway.getAvailableMargin()).rejects.toMatchObject({ kind: 'token' });
      expect(alerts).toBe(2); // the next day's expiry alerts again
    } finally {
      await h.control('POST', '/control/session', { accessToken: ACCESS_TOKEN });
    }
  });
});
