import { eventually, startStack, type Stack } from './stack';

/**
 * Kite's WebSocket order updates alone: postbacks dropped at the broker, the order-book watcher off and each order's own
 * poll pushed out to 10 minutes, so a fill can reach the order only over the paper broker's WebSocket (KiteTicker).
 */
let stack: Stack;
let symbol: string;

beforeAll(async () => {
  stack = await startStack({ KITE_WEBSOCKET: 'on', ORDER_BOOK_POLL_MS: '0', ORDER_POLL_MIN_MS: '600000', ORDER_POLL_MAX_MS: '600000' });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  await stack.control('POST', '/control/faults', { kind: 'drop_postbacks' });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
  await eventually(() => stack.control<{ websocketConnections: number }>('GET', '/control/stats'), (s) => s.websocketConnections === 1, 20_000);
}, 120_000);
afterAll(() => stack?.close(), 60_000);

const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);

it('when a resting order is filled at the exchange, then the order is FILLED from the WebSocket update alone', async () => {
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: `ws-${Date.now().toString(36)}`, strategyId: 'ws', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00',
  });
  expect(placed.status).toBe(202);
  const { orderId, brokerOrderId } = placed.body.order as { orderId: string; brokerOrderId: string };
  expect(brokerOrderId).toBeTruthy();

  const filledAt = Date.now();
  await stack.control('POST', `/control/orders/${brokerOrderId}/fill`, {});
  const done = await eventually(() => order(orderId), (o) => o.status === 'FILLED', 20_000);
  const seenAt = Date.now();
  expect(done).toMatchObject({ filledQuantity: 30 });

  const [row] = await stack.sql<{ occurred_at: Date }>("select occurred_at from order_events where order_id = $1 and to_status = 'FILLED'", [orderId]);
  console.log(`fill -> FILLED over the WebSocket: ${row ? row.occurred_at.getTime() - filledAt : '?'} ms recorded, ${seenAt - filledAt} ms seen through the API`);

  const sources = (await stack.sql<{ source: string }>("select distinct source from order_events where order_id = $1 and type <> 'BROKER_SIGNAL'", [orderId])).map((s) => s.source);
  expect(sources).toContain('broker-websocket');
  expect(sources).not.toContain('broker-postback');
  expect(sources).not.toContain('broker-book');
  expect(sources).not.toContain('broker-poll');
  const stats = await stack.control<{ postbacksSent: number; postbacksDropped: number }>('GET', '/control/stats');
  expect(stats.postbacksSent).toBe(0);
}, 120_000);
