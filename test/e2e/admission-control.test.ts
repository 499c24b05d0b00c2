import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { brokerTagFor } from '../../src/domain/hash';
import { projectRoot } from '../../src/infra/binaries';
import { TEST_KEYS, writeAccessConfig } from '../support/access-config';
import { freePort } from '../support/ports';
import { eventually, startStack, type Stack } from './stack';
import { kill9, spawnWorker, workerEnvFor } from './worker-process';

/**
 * Overload is answered, not queued. The API runs as its own process (`--api-only`) and, at first, no worker admits
 * orders: the first POST waits up to its deadline and answers 202 RECEIVED (its workflow exists: the order is durable and waits
 * for a worker); a POST past the in-flight limit is
 * refused at once with 429 OVERLOADED. Both carry Retry-After, and both are safe to repeat: once a worker process runs
 * (`--worker-only`), the re-sent POST learns its order's outcome and the broker holds exactly one order for it.
 */
let stack: Stack;
let api: ChildProcess | undefined;
let apiUrl: string;
let worker: ChildProcess | undefined;
let symbol: string;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
  const port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'main.js'), '--api-only'], {
    env: { ...process.env, ...workerEnvFor(stack), API_PORT: String(port), ACCESS_CONFIG_FILE: writeAccessConfig(), ADMISSION_MAX_IN_FLIGHT: '1', ADMISSION_TIMEOUT_MS: '4000' },
    stdio: 'ignore',
  });
  await eventually(() => fetch(`${apiUrl}/health`).then((r) => r.status, () => 0), (status) => status === 200, 60_000);
}, 120_000);
afterAll(async () => {
  if (worker) await kill9(worker);
  if (api) await kill9(api);
  await stack?.close();
}, 60_000);

/** A POST to the API process, with its headers. */
async function post(body: unknown): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const res = await fetch(`${apiUrl}/api/v1/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': TEST_KEYS.operator }, body: JSON.stringify(body),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

const order = (clientOrderId: string) => ({
  clientOrderId, strategyId: 'admission', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET',
});

it('when admissions are slower than arrivals, then the one past the limit gets 429 at once, the waiting one 202 RECEIVED at its deadline, and a re-sent POST later places it exactly once', async () => {
  const first = order(`adm-${Date.now().toString(36)}-1`);
  const second = order(`adm-${Date.now().toString(36)}-2`);
  const waiting = post(first);
  // The first cannot be answered before its 4 s deadline (no worker runs), so it is in flight while the second arrives.
  await new Promise((r) => setTimeout(r, 300));
  const sentAt = Date.now();
  const refused = await post(second);
  expect(refused).toMatchObject({ status: 429, retryAfter: '1', body: { error: { code: 'OVERLOADED' } } });
  expect(Date.now() - sentAt).toBeLessThan(3000); // refused at once, not after the first one's deadline

  // Its workflow exists, so the order is durable: at its deadline the POST answers 202 RECEIVED (it proceeds when a
  // worker runs), not an error.
  const timedOut = await waiting;
  expect(timedOut).toMatchObject({ status: 202, body: { order: { orderId: `order-${first.clientOrderId}`, status: 'RECEIVED' } } });
  expect(timedOut.body.order.statusMessage).toMatch(/waits for a worker/);
  // Its workflow exists but no worker answers for it: a GET answers within its 2 s query deadline, never hangs.
  const askedAt = Date.now();
  const unknown = await fetch(`${apiUrl}/api/v1/orders/order-${first.clientOrderId}`, { headers: { 'x-api-key': TEST_KEYS.operator } });
  expect(Date.now() - askedAt).toBeLessThan(5000);
  expect(unknown.status).toBe(503);
  expect(unknown.headers.get('retry-after')).toBe('1');
  expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('ORDER_STATE_UNAVAILABLE');

  worker = spawnWorker(workerEnvFor(stack));
  const again = await eventually(() => post(first), (r) => r.status === 202 || r.status === 200, 60_000);
  const orderId = again.body.order.orderId as string;
  const filled = await eventually(() => stack.api('GET', `/api/v1/orders/${orderId}`), (r) => r.body.order?.status === 'FILLED', 60_000);
  expect(filled.body.order).toMatchObject({ clientOrderId: first.clientOrderId, filledQuantity: 30 });
  const atBroker = await stack.control<{ count: number; orders: { status: string }[] }>('GET', `/control/orders?tag=${brokerTagFor(orderId)}`);
  expect(atBroker.orders.map((o) => o.status)).toEqual(['COMPLETE']);
  // The refused one started nothing: the API never started its workflow.
  expect((await stack.api('GET', `/api/v1/orders/order-${second.clientOrderId}`)).status).toBe(404);
}, 150_000);
