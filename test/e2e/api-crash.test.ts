import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { brokerTagFor } from '../../src/domain/hash';
import { projectRoot } from '../../src/infra/binaries';
import { TEST_KEYS, writeAccessConfig } from '../support/access-config';
import { freePort } from '../support/ports';
import { eventually, startStack, type Stack } from './stack';
import { kill9, workerEnvFor } from './worker-process';

/**
 * The API as its own process (`--api-only`), SIGKILLed while a POST is in flight: the client never gets its answer.
 * It re-sends the same request to the restarted API and learns its order's outcome; the broker holds exactly one order.
 */
let stack: Stack;
let api: ChildProcess | undefined;
let apiUrl: string;
let symbol: string;
let port: number;

const startApi = async () => {
  api = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'src', 'main.js'), '--api-only'], {
    env: { ...process.env, ...workerEnvFor(stack), API_PORT: String(port), ACCESS_CONFIG_FILE: writeAccessConfig() },
    stdio: 'ignore',
  });
  await eventually(() => fetch(`${apiUrl}/health`).then((r) => r.status, () => 0), (status) => status === 200, 60_000);
};

beforeAll(async () => {
  // Its own worker (the API under test is the separate process), with a broker timeout long enough that the POST is
  // surely still waiting when the API is killed a second after sending it.
  stack = await startStack({ KITE_TIMEOUT_MS: '5000' });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
  port = await freePort();
  apiUrl = `http://127.0.0.1:${port}`;
  await startApi();
}, 120_000);
afterAll(async () => {
  if (api) await kill9(api);
  await stack?.close();
}, 60_000);

const post = (body: unknown) => fetch(`${apiUrl}/api/v1/orders`, {
  method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': TEST_KEYS.operator }, body: JSON.stringify(body),
});

it('when the API process is SIGKILLed with a POST in flight, then the re-sent POST to the restarted API answers that order, and the broker holds one order', async () => {
  const body = { clientOrderId: `apikill-${Date.now().toString(36)}`, strategyId: 'apikill', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML' };
  // The broker holds the place request, so the POST is still waiting for its answer when the API dies.
  await stack.control('POST', '/control/faults', { kind: 'delay', ms: 8000, count: 1, routes: 'orders' });
  const inFlight = post(body).then((r) => r.status, () => 'no answer');
  await new Promise((r) => setTimeout(r, 1000));
  await kill9(api!);
  expect(await inFlight).toBe('no answer');

  await startApi();
  const again = await eventually(() => post(body).then(async (r) => ({ status: r.status, body: await r.json() as any })), (r) => r.status === 200 || r.status === 202, 60_000);
  const orderId = again.body.order.orderId as string;
  expect(orderId).toBe(`order-${body.clientOrderId}`);
  const open = await eventually(() => stack.api('GET', `/api/v1/orders/${orderId}`), (r) => r.body.order?.status === 'OPEN', 60_000);
  expect(open.body.order.brokerOrderId).toEqual(expect.any(String));
  const atBroker = await stack.control<{ count: number }>('GET', `/control/orders?tag=${brokerTagFor(orderId)}`);
  expect(atBroker.count).toBe(1);
  expect((await stack.api('DELETE', `/api/v1/orders/${orderId}`)).status).toBe(200);
}, 180_000);
