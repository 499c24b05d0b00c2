import { latestExpirySymbols, quietMarketAt } from '../support/paper-instruments';
import { eventually, startStack, type Stack } from './stack';

/** The execution ladder on the real stack: a LIMIT buy below the market is chased up in rungs, then converted to MARKET. */
let stack: Stack;
let symbol: string;

const sql = <T = any>(text: string, params: unknown[] = []) => stack.sql<T>(text, params);

beforeAll(async () => {
  stack = await startStack();
  [symbol] = await latestExpirySymbols(stack.control, '52000CE');
  await quietMarketAt(stack.control, symbol, 100);
}, 120_000);
afterAll(async () => { await stack?.close(); });

it('when a chased LIMIT buy rests below the market, then it is re-priced in rungs up to its 5% cap, converted to MARKET, and fills', async () => {
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: `chase-${Date.now().toString(36)}`, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30,
    orderType: 'LIMIT', price: '90.00', product: 'NRML', execution: { chase: { stepAfterMs: 500, steps: 2, maxMovePercent: 5, thenMarket: true } },
  });
  expect(placed.status).toBe(202);
  const id = placed.body.order.orderId;
  const done = await eventually(() => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order), (o) => o.status === 'FILLED', 60_000);
  expect(done.status).toBe('FILLED');
  const steps = await sql<{ payload: { kind: string; pricePaise?: number } }>("select payload from order_events where order_id = $1 and type = 'LADDER_STEP' order by sequence", [id]);
  expect(steps.map((s) => [s.payload.kind, s.payload.pricePaise])).toEqual([['reprice', 9_225], ['reprice', 9_450], ['market', undefined]]);
  const [brokerOrder] = (await stack.control('GET', `/control/orders?tag=${placed.body.order.tag}`)).orders;
  expect(brokerOrder).toMatchObject({ order_type: 'MARKET', status: 'COMPLETE', requests: { place: 1, modify: 3 } });
});

it('when a chase is asked for a MARKET order, then it is a 400 naming the field and nothing starts', async () => {
  const res = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: `chase-bad-${Date.now().toString(36)}`, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30,
    orderType: 'MARKET', product: 'NRML', execution: { chase: { stepAfterMs: 500, steps: 2, maxMovePercent: 5 } },
  });
  expect(res.status).toBe(400);
  expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'execution.chase' })]);
});

describe('partial-fill completion', () => {
  const placeLimit = (completion: unknown) => stack.api('POST', '/api/v1/orders', {
    clientOrderId: `complete-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 90,
    orderType: 'LIMIT', price: '95.00', product: 'NRML', execution: { completion },
  });
  const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);

  it.each([
    { title: 'a time policy with action cancel cancels the remainder after its delay', completion: { policy: 'time', afterMs: 800, action: 'cancel' }, status: 'CANCELLED', filled: 30 },
    { title: 'cancel-remaining cancels the remainder at once', completion: { policy: 'cancel-remaining' }, status: 'CANCELLED', filled: 30 },
    { title: 'a time policy with action market completes the remainder at market', completion: { policy: 'time', afterMs: 800, action: 'market' }, status: 'FILLED', filled: 90 },
  ])('when $title, then the order ends $status with $filled filled and the broker holds one order', async ({ completion, status, filled }) => {
    const placed = await placeLimit(completion);
    expect(placed.status).toBe(202);
    const id = placed.body.order.orderId;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN');
    await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, { quantity: 30, price: 95 });
    const done = await eventually(() => order(id), (o) => o.status === status, 30_000);
    expect(done).toMatchObject({ status, filledQuantity: filled });
    const [event] = await sql("select payload from order_events where order_id = $1 and type = 'COMPLETION_TRIGGERED'", [id]);
    expect(event.payload).toMatchObject({ remaining: 60 });
    expect((await stack.control('GET', `/control/orders?tag=${placed.body.order.tag}`)).count).toBe(1);
  });
});
