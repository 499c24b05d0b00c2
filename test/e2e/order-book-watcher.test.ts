import { eventually, startStack, type Stack } from './stack';

/**
 * No order polls the broker for itself: with postbacks off and the per-order poll pushed out to 10 minutes, what an
 * order learns comes from the account's order-book watcher, which reads GET /orders and signals the orders that changed.
 */
let stack: Stack;
let symbol: string;

beforeAll(async () => {
  stack = await startStack({ ORDER_POLL_MIN_MS: '600000', ORDER_POLL_MAX_MS: '600000', ORDER_BOOK_POLL_MS: '300' });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' }, postbackUrl: null });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(() => stack?.close(), 60_000);

const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);

it('when a resting order is partly filled, filled and another is cancelled at the exchange, then each order sees it through the order-book watcher alone', async () => {
  const place = (n: number) => stack.api('POST', '/api/v1/orders', {
    clientOrderId: `book-${Date.now().toString(36)}-${n}`, strategyId: 'book', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 90, orderType: 'LIMIT', price: '10.00',
  });
  const [a, b] = [await place(1), await place(2)];
  expect([a.status, b.status]).toEqual([202, 202]);
  const [ida, idb] = [a.body.order.orderId as string, b.body.order.orderId as string];
  const brokerA = a.body.order.brokerOrderId as string;
  expect(brokerA).toBeTruthy(); // the POST answers once the broker has the order

  await stack.control('POST', `/control/orders/${brokerA}/fill`, { quantity: 30 });
  expect(await eventually(() => order(ida), (o) => o.filledQuantity === 30, 20_000)).toMatchObject({ status: 'PARTIALLY_FILLED' });
  await stack.control('POST', `/control/orders/${brokerA}/fill`, {});
  await stack.control('POST', `/control/orders/${b.body.order.brokerOrderId}/cancel`, { message: 'cancelled by the exchange' });
  expect(await eventually(() => order(ida), (o) => o.status === 'FILLED', 20_000)).toMatchObject({ filledQuantity: 90 });
  expect(await eventually(() => order(idb), (o) => o.status === 'CANCELLED', 20_000)).toMatchObject({ filledQuantity: 0 });

  const sources = await stack.sql<{ source: string }>("select distinct source from order_events where order_id = any($1) and type <> 'BROKER_SIGNAL'", [[ida, idb]]);
  expect(sources.map((s) => s.source)).toContain('broker-book');
  expect(sources.map((s) => s.source)).not.toContain('broker-poll');
  expect(sources.map((s) => s.source)).not.toContain('broker-postback');
}, 120_000);
