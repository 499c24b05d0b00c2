import { KiteConnect } from 'kiteconnect';
import { ACCESS_TOKEN, API_KEY, rejectionOf, startHarness, waitFor, type Harness } from './paper-harness';

describe('paper broker gateway: auth, rate limit, sessions and injected faults', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.broker.reset());

  it('when the access token is wrong, then every Kite call answers 403 TokenException and fires the session hook', async () => {
    const kite = new KiteConnect({ api_key: API_KEY, access_token: 'stale', root: h.root } as any);
    let expired = false;
    kite.setSessionExpiryHook(() => {
      expired = true;
    });
    const err = await rejectionOf(kite.getOrders());
    expect(err).toMatchObject({ status: 'error', error_type: 'TokenException' });
    expect(expired).toBe(true);
  });

  it('when more than 10 order requests arrive within a second, then the 11th answers 429 NetworkException', async () => {
    const results = await Promise.allSettled(Array.from({ length: 11 }, (_, i) => h.place({ tag: `rl${i}` })));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(rejected.map((r) => r.reason)).toEqual([expect.objectContaining({ error_type: 'NetworkException', message: 'Too many requests' })]);
    const stats = await h.control('GET', '/control/stats');
    expect(stats).toMatchObject({ placeRequestsReceived: 11, ordersPlaced: 10, rateLimited: 1 });
    expect(stats.placeRequests).toHaveLength(11);
    expect(stats.placeRequests[0]).toEqual({ tag: expect.stringMatching(/^rl/), receivedAt: expect.any(Number), status: expect.any(Number) });
  });

  it('when the rate limit is disabled, then 15 order requests in a burst are all accepted', async () => {
    await h.control('POST', '/control/config', { rateLimit: { enabled: false } });
    const results = await Promise.allSettled(Array.from({ length: 15 }, () => h.place({})));
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
  });

  it('when accept_then_timeout is injected, then the client times out but the order exists in GET /orders', async () => {
    await h.control('POST', '/control/faults', { kind: 'accept_then_timeout', delayMs: 5000 });
    const impatient = new KiteConnect({ api_key: API_KEY, access_token: ACCESS_TOKEN, root: h.root, timeout: 200 } as any);
    const err = await rejectionOf(
      (impatient.placeOrder as any)('regular', {
        exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, transaction_type: 'BUY', quantity: 30, product: 'NRML',
        order_type: 'LIMIT', price: 100, tag: 'lost-ack',
      }),
    );
    expect(err.error_type).toBe('NetworkException');
    const orders = await h.kite.getOrders();
    expect(orders.filter((o) => o.tag === 'lost-ack')).toHaveLength(1);
  });

  it('when http_error 503 is injected for orders, then placement fails without creating an order and reads still work', async () => {
    await h.control('POST', '/control/faults', { kind: 'http_error', status: 503, count: 1 });
    expect((await rejectionOf(h.place({ tag: 'five-oh-three' }))).error_type).toBe('NetworkException');
    expect(await h.kite.getOrders()).toEqual([]);
    await expect(h.place({})).resolves.toHaveProperty('order_id');
  });

  it('when http_error is injected for quotes, then quote calls fail while orders still go through', async () => {
    await h.control('POST', '/control/faults', { kind: 'http_error', status: 503, count: 2, routes: 'quotes' });
    const [instrument] = (await h.control('GET', '/control/instruments')).filter((i: { segment: string }) => i.segment === 'NFO-OPT');
    expect((await rejectionOf(h.kite.getQuote([`NFO:${instrument.tradingsymbol}`]))).error_type).toBe('NetworkException');
    await expect(h.place({})).resolves.toHaveProperty('order_id');
    expect((await rejectionOf(h.kite.getLTP([`NFO:${instrument.tradingsymbol}`]))).error_type).toBe('NetworkException');
    await expect(h.kite.getQuote([`NFO:${instrument.tradingsymbol}`])).resolves.toHaveProperty(`NFO:${instrument.tradingsymbol}`);
  });

  it('when a non-JSON 502 is injected, then the client maps it to NetworkException', async () => {
    await h.control('POST', '/control/faults', { kind: 'http_error', status: 502, routes: 'all' });
    expect((await rejectionOf(h.kite.getOrders())).error_type).toBe('NetworkException');
  });

  it('when reject_next is injected twice, then the next two placements answer that error and the third succeeds', async () => {
    await h.control('POST', '/control/faults', { kind: 'reject_next', count: 2, error_type: 'MarginException', message: 'Insufficient funds' });
    for (let i = 0; i < 2; i++) {
      expect(await rejectionOf(h.place({}))).toMatchObject({ error_type: 'MarginException', message: 'Insufficient funds' });
    }
    await expect(h.place({})).resolves.toHaveProperty('order_id');
  });

  it('when a delay is injected, then the response arrives no sooner than the delay', async () => {
    await h.control('POST', '/control/faults', { kind: 'delay', ms: 150 });
    const started = Date.now();
    await h.kite.getOrders();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('when the faults are cleared, then nothing is injected any more', async () => {
    await h.control('POST', '/control/faults', [{ kind: 'http_error', status: 500, count: 3 }, { kind: 'drop_postbacks' }]);
    expect((await h.control('GET', '/control/faults')).faults).toHaveLength(2);
    await h.control('DELETE', '/control/faults');
    await expect(h.place({})).resolves.toHaveProperty('order_id');
  });

  it('when a control body is invalid, then it answers 400 and names the problem', async () => {
    await expect(h.control('POST', '/control/faults', { kind: 'explode' })).rejects.toThrow(/400/);
    await expect(h.control('POST', '/control/config', { matching: { partialSlices: 0 } })).rejects.toThrow(/400/);
  });
});

describe('paper broker sessions (injected clock)', () => {
  let h: Harness;
  let now = new Date('2026-11-24T12:00:00Z'); // 17:30 IST, a Tuesday: after the close

  beforeAll(async () => {
    h = await startHarness({
      now: () => now,
      session: { alwaysOpen: false, open: '09:15', close: '15:30', timezone: 'Asia/Kolkata' },
    });
  });
  afterAll(() => h.close());

  it('when the market is closed, then a regular order is rejected with InputException like Kite', async () => {
    const err = await rejectionOf(h.place({}));
    expect(err).toMatchObject({ error_type: 'InputException', message: expect.stringMatching(/Markets are closed/) });
  });

  it('when an AMO is placed after hours, then it waits as AMO REQ RECEIVED and goes OPEN when the session opens', async () => {
    const { order_id } = await h.place({}, 'amo');
    expect((await h.kite.getOrderHistory(order_id)).pop()?.status).toBe('AMO REQ RECEIVED');
    now = new Date('2026-11-25T04:00:00Z'); // 09:30 IST next day
    await waitFor(async () => (await h.kite.getOrderHistory(order_id)).pop()?.status === 'OPEN', 3000);
    expect((await h.kite.getOrderHistory(order_id)).pop()?.exchange_order_id).toMatch(/^\d+$/);
  });
});

describe('paper broker TTL validity (injected clock)', () => {
  let h: Harness;
  let now = new Date('2026-11-24T05:00:00Z');

  beforeAll(async () => {
    h = await startHarness({ now: () => now });
  });
  afterAll(() => h.close());

  it('when a TTL order outlives its validity_ttl minutes, then it is cancelled', async () => {
    const { order_id } = await h.place({ validity: 'TTL', validity_ttl: 1 });
    expect((await h.kite.getOrderHistory(order_id)).pop()?.status).toBe('OPEN');
    now = new Date(now.getTime() + 61_000);
    const last = await waitFor(async () => {
      const entry = (await h.kite.getOrderHistory(order_id)).pop();
      return entry?.status === 'CANCELLED' ? entry : undefined;
    });
    expect(last).toMatchObject({ cancelled_quantity: 30, validity: 'TTL', validity_ttl: 1 });
  });
});
