import { eventually } from './stack';
import { useStackWithWorkerProcess } from './worker-process';

const crash = useStackWithWorkerProcess();
let symbol: string;
let n = 0;

beforeAll(async () => {
  const instruments = await crash.stack.control('GET', '/control/instruments');
  symbol = (instruments as any[]).find((i) => /52000PE$/.test(i.tradingsymbol)).tradingsymbol;
});

const order = (id: string) => crash.stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (extra: Record<string, unknown> = {}) => crash.stack.api('POST', '/api/v1/orders', { clientOrderId: `crash-${Date.now().toString(36)}-${++n}`, strategyId: 'crash', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00', ...extra });

describe('a killed worker loses nothing and duplicates nothing', () => {
  it('when the worker is SIGKILLed while the order waits for fills, then a new worker completes it with one broker order', async () => {
    await crash.stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
    crash.spawn();
    const placed = place();
    const res = await placed;
    expect(res.status).toBe(202);
    const id = res.body.order.orderId;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN', 60_000);
    await crash.kill();
    await crash.stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, {});
    crash.spawn();
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 90_000);
    expect(done.filledQuantity).toBe(30);
    const broker = await crash.stack.control('GET', `/control/orders?tag=${done.tag}`);
    expect(broker.count).toBe(1);
    await crash.kill();
  }, 180_000);

  it('when the worker dies between the broker accepting the order and the OMS recording it, then the order is adopted by tag, not placed again', async () => {
    await crash.stack.control('POST', '/control/config', { matching: { mode: 'auto' } });
    await crash.stack.control('POST', '/control/faults', { kind: 'accept_then_timeout', count: 1, delayMs: 5_000 });
    crash.spawn();
    const res = await place({ orderType: 'MARKET', price: undefined });
    const id = res.body.order.orderId;
    // The place request reached the broker (it holds the order) but the answer never came back to the worker.
    await eventually(() => crash.stack.control('GET', '/control/stats'), (s) => s.placeRequests.some((p: any) => p.tag === res.body.order.tag), 30_000);
    await crash.kill();
    crash.spawn();
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 120_000);
    const broker = await crash.stack.control('GET', `/control/orders?tag=${done.tag}`);
    expect(broker.count).toBe(1);
    expect(done.history.map((h: any) => h.status)).toContain('SUBMITTED');
    await crash.kill();
  }, 240_000);
});
