import { Client as PgClient } from 'pg';
import { eventually, startStack, type Stack } from './stack';

/** The execution ladder on the real stack: a LIMIT buy below the market is chased up in rungs, then converted to MARKET. */
let stack: Stack;
let symbol: string;

async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const pg = new PgClient({ connectionString: stack.db.url });
  await pg.connect();
  try { return (await pg.query(text, params)).rows as T[]; } finally { await pg.end(); }
}

beforeAll(async () => {
  stack = await startStack();
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  symbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: symbol, last_price: 100 });
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
