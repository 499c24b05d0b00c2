import { eventually, startStack, type Stack } from './stack';

/**
 * A broker that acts after the client gave up (issue 12): the place request is held by the paper broker past the
 * OMS's 1.5 s timeout and carried out later. The retry must not place again while that request can still act: it
 * looks the tag up, waits out the first attempt and the settle window (8 s here) without sending, then finds
 * the late order and adopts it. Before the send ticket's settle window, the retry placed a second order.
 */
let stack: Stack;
let symbol: string;

beforeAll(async () => {
  stack = await startStack({ BROKER_SETTLE_MS: '8000' }); // the broker acts at 4 s: well inside the settle window
  await stack.control('POST', '/control/config', { matching: { mode: 'auto' } });
  const instruments: { tradingsymbol: string }[] = await stack.control('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => { await stack?.close(); });

it('when the broker carries out a place request 4 s after the client gave up, then the order is placed once and adopted by its tag', async () => {
  await stack.control('POST', '/control/faults', { kind: 'delay', ms: 4000, count: 1, routes: 'orders' });
  const clientOrderId = `late-${Date.now().toString(36)}`;
  const res = await stack.api('POST', '/api/v1/orders', { clientOrderId, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'NRML' });
  expect([200, 202, 503]).toContain(res.status); // 503 ADMISSION_TIMEOUT when the waits outlast the POST's deadline
  const id = `order-${clientOrderId}`;
  const done = await eventually(() => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order), (o) => o?.status === 'FILLED', 60_000);
  expect(done.filledQuantity).toBe(30);

  const atBroker = await stack.control('GET', `/control/orders?tag=${done.tag}`);
  expect(atBroker.count).toBe(1);
  const stats = await stack.control('GET', '/control/stats');
  expect(stats.placeRequests.filter((p: { tag: string }) => p.tag === done.tag)).toHaveLength(1); // never sent twice
  const events = await stack.sql<{ type: string }>('select type from order_events where order_id = $1 order by sequence', [id]);
  expect(events.map((e) => e.type)).toContain('PLACEMENT_IN_DOUBT');
  const [position] = await stack.sql<{ quantity: number }>("select quantity from positions where strategy_id = 's1' and tradingsymbol = $1", [symbol]);
  expect(position.quantity).toBe(30);
}, 120_000);
