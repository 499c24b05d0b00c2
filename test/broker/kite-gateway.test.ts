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
