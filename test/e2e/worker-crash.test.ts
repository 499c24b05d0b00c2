import type { ChildProcess } from 'node:child_process';
import { eventually, startStack, type Stack } from './stack';
import { kill9, spawnWorker, workerEnvFor } from './worker-process';

let stack: Stack;
let workerEnv: Record<string, string>;
let worker: ChildProcess | undefined;
let symbol: string;
let n = 0;

beforeAll(async () => {
  stack = await startStack({ ORDER_POLL_MIN_MS: '300', ORDER_POLL_MAX_MS: '1000' }, { worker: false });
  workerEnv = workerEnvFor(stack);
  const instruments = await stack.control('GET', '/control/instruments');
  symbol = (instruments as any[]).find((i) => /52000PE$/.test(i.tradingsymbol)).tradingsymbol;
}, 120_000);
afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) await kill9(worker);
  await stack?.close();
}, 60_000);

const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (extra: Record<string, unknown> = {}) => stack.api('POST', '/api/v1/orders', { clientOrderId: `crash-${Date.now().toString(36)}-${++n}`, strategyId: 'crash', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00', ...extra });

describe('a killed worker loses nothing and duplicates nothing', () => {
  it('when the worker is SIGKILLed while the order waits for fills, then a new worker completes it with one broker order', async () => {
    await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
    worker = spawnWorker(workerEnv);
    const placed = place();
    const res = await placed;
    expect(res.status).toBe(202);
    const id = res.body.order.orderId;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN', 60_000);
    await kill9(worker);
    await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, {});
    worker = spawnWorker(workerEnv);
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 90_000);
    expect(done.filledQuantity).toBe(30);
    const broker = await stack.control('GET', `/control/orders?tag=${done.tag}`);
    expect(broker.count).toBe(1);
    await kill9(worker);
  }, 180_000);

  it('when the worker dies between the broker accepting the order and the OMS recording it, then the order is adopted by tag, not placed again', async () => {
    await stack.control('POST', '/control/config', { matching: { mode: 'auto' } });
    await stack.control('POST', '/control/faults', { kind: 'accept_then_timeout', count: 1, delayMs: 5_000 });
    worker = spawnWorker(workerEnv);
    const res = await place({ orderType: 'MARKET', price: undefined });
    const id = res.body.order.orderId;
    // The place request reached the broker (it holds the order) but the answer never came back to the worker.
    await eventually(() => stack.control('GET', '/control/stats'), (s) => s.placeRequests.some((p: any) => p.tag === res.body.order.tag), 30_000);
    await kill9(worker);
    worker = spawnWorker(workerEnv);
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 120_000);
    const broker = await stack.control('GET', `/control/orders?tag=${done.tag}`);
    expect(broker.count).toBe(1);
    expect(done.history.map((h: any) => h.status)).toContain('SUBMITTED');
    await kill9(worker);
  }, 240_000);
});
