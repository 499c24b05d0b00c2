import { OrderStream, type StreamedOrderUpdate } from '../../src/broker/order-stream';
import { ACCESS_TOKEN, API_KEY, startHarness, waitFor, type Harness } from '../paper/paper-harness';

/** KiteTicker (the official client's WebSocket) against the paper broker's Kite-compatible WebSocket. */
let h: Harness;
let stream: OrderStream | undefined;
const updates: StreamedOrderUpdate[] = [];
const logs: string[] = [];

beforeEach(async () => {
  h = await startHarness();
  updates.length = 0;
  logs.length = 0;
});
afterEach(async () => {
  await stream?.stop();
  await h.close();
});

function startStream(accessToken: () => Promise<string>): OrderStream {
  stream = new OrderStream({
    apiKey: API_KEY, root: `${h.root.replace(/^http/, 'ws')}/`, accessToken, backoff: { minMs: 50, maxMs: 200 }, checkMs: 100,
    deliver: async (u) => void updates.push(u), log: (line) => logs.push(line),
  });
  stream.start();
  return stream;
}

const connections = () => h.control<{ websocketConnections: number }>('GET', '/control/stats').then((s) => s.websocketConnections);

it('when an order placed through kiteconnect is filled at the exchange, then its update arrives over the WebSocket with the fill', async () => {
  startStream(async () => ACCESS_TOKEN);
  await waitFor(async () => (await connections()) === 1);
  const { order_id } = await h.place({ tag: 'ws-fill-1' });
  await h.control('POST', `/control/orders/${order_id}/fill`, {});

  const done = await waitFor(() => updates.find((u) => u.brokerOrderId === order_id && u.status === 'COMPLETE'));
  expect(done).toEqual({ brokerOrderId: order_id, tag: 'ws-fill-1', status: 'COMPLETE', filledQuantity: 30, averagePrice: 100 });
  expect(logs.filter((l) => /^order stream: connected/.test(l))).toHaveLength(1);
});

it('when the first token is refused, then the stream backs off, connects with the fresh token and delivers updates', async () => {
  let calls = 0;
  startStream(async () => (++calls === 1 ? 'yesterdays_token' : ACCESS_TOKEN));
  await waitFor(async () => (await connections()) === 1);
  expect(calls).toBeGreaterThanOrEqual(2);
  expect(logs.some((l) => /not connected to the broker WebSocket \(.*403/.test(l))).toBe(true);

  const { order_id } = await h.place({ tag: 'ws-fill-2', quantity: 60 });
  await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 30 });
  const partial = await waitFor(() => updates.find((u) => u.brokerOrderId === order_id && u.filledQuantity === 30));
  expect(partial).toMatchObject({ status: 'UPDATE', tag: 'ws-fill-2' });
});

it('when the broker drops the connection, then the stream reconnects and later updates still arrive', async () => {
  startStream(async () => ACCESS_TOKEN);
  await waitFor(async () => (await connections()) === 1);
  await h.control('POST', '/control/websocket/drop', {});
  const connects = () => logs.filter((l) => /^order stream: connected/.test(l)).length;
  await waitFor(() => connects() === 2, 5000);
  expect(logs.filter((l) => /not connected/.test(l))).toHaveLength(1); // once per change, not once per attempt

  const { order_id } = await h.place({ tag: 'ws-fill-3' });
  await h.control('POST', `/control/orders/${order_id}/fill`, {});
  await waitFor(() => updates.find((u) => u.brokerOrderId === order_id && u.status === 'COMPLETE'));
});
