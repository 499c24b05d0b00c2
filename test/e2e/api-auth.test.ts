import { TEST_KEYS } from '../support/access-config';
import { eventually, startStack, type Stack } from './stack';

/** API keys and roles on the real stack: strategy keys act for their own strategies only; operators for all. */
let stack: Stack;
let symbol: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (strategyId: string, clientOrderId = cid(strategyId)) => ({
  clientOrderId, strategyId, tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML',
});

beforeAll(async () => {
  stack = await startStack();
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments: { tradingsymbol: string }[] = await stack.control('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('API keys and roles', () => {
  it('when no key or an unknown key is presented, then it is 401 and no order is started', async () => {
    const body = order('s1');
    const none = await stack.apiAs(null, 'POST', '/api/v1/orders', body);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UNAUTHENTICATED');
    const wrong = await stack.apiAs('not-a-key', 'POST', '/api/v1/orders', body);
    expect(wrong.status).toBe(401);
    expect((await stack.api('GET', `/api/v1/orders/order-${body.clientOrderId}`)).status).toBe(404);
    expect((await stack.apiAs(null, 'GET', '/api/v1/risk/config')).status).toBe(401);
    // the risk configuration (limits, the whole file) is for operators
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/risk/config')).status).toBe(403);
  });

  it('when a strategy key places for a strategy that is not its own, then it is 403 STRATEGY_NOT_ALLOWED and nothing starts', async () => {
    const body = order('s2');
    const res = await stack.apiAs(TEST_KEYS.strategyA, 'POST', '/api/v1/orders', body);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('STRATEGY_NOT_ALLOWED');
    expect((await stack.api('GET', `/api/v1/orders/order-${body.clientOrderId}`)).status).toBe(404);
  });

  it('when a strategy key reads, modifies or cancels another strategy\'s order, then the order is not found for it; its own and the operator\'s calls work', async () => {
    const mine = await stack.apiAs(TEST_KEYS.strategyB, 'POST', '/api/v1/orders', order('s2'));
    expect(mine.status).toBe(202);
    const id = mine.body.order.orderId;
    await eventually(() => stack.apiAs(TEST_KEYS.strategyB, 'GET', `/api/v1/orders/${id}`).then((r) => r.body.order), (o) => o.status === 'OPEN');
    for (const [method, body] of [['GET', undefined], ['PATCH', { price: '1.05' }], ['DELETE', undefined]] as const) {
      const res = await stack.apiAs(TEST_KEYS.strategyA, method, `/api/v1/orders/${id}`, body);
      expect({ method, status: res.status, code: res.body.error.code }).toEqual({ method, status: 404, code: 'NOT_FOUND' });
    }
    const listA = await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/orders?limit=100');
    expect(listA.body.orders.map((o: { strategyId: string }) => o.strategyId).every((s: string) => ['e2e', 's1'].includes(s))).toBe(true);
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/orders?strategyId=s2')).status).toBe(403);
    expect((await stack.apiAs(TEST_KEYS.strategyB, 'PATCH', `/api/v1/orders/${id}`, { price: '1.05' })).status).toBe(200);
    const cancelled = await stack.api('DELETE', `/api/v1/orders/${id}`); // the operator may manage any order
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.order.status).toBe('CANCELLED');
  });
});
