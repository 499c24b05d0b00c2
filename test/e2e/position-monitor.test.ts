import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, startStack, type Stack } from './stack';

/** Position monitors on the real stack: API -> order workflow + monitor workflow -> OCO group / exit order -> paper broker. */
let stack: Stack;
let ocoSymbol: string;
let watchSymbol: string;

const uid = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const monitor = (id: string) => stack.api('GET', `/api/v1/monitors/${id}`).then((r) => r.body.monitor);
const brokerOrders = async (): Promise<{ order_id: string; tag: string; tradingsymbol: string; transaction_type: string; order_type: string; quantity: number; price: number; trigger_price: number; status: string }[]> =>
  (await stack.control('GET', '/control/orders')).orders;

async function netPosition(symbol: string): Promise<number> {
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { authorization: 'token paper_key:paper_token', 'x-kite-version': '3' } });
  const body = await res.json() as { data: { net: { tradingsymbol: string; quantity: number }[] } };
  return body.data.net.find((p) => p.tradingsymbol === symbol)?.quantity ?? 0;
}

/** Fills the entry at the broker at 100.00 (the LIMIT rests: the paper ask sits above the last price). */
async function fillEntry(cid: string): Promise<void> {
  const o = await eventually(() => stack.api('GET', `/api/v1/orders/order-${cid}`).then((r) => r.body.order), (x) => !!x?.brokerOrderId);
  await stack.control('POST', `/control/orders/${o.brokerOrderId}/fill`, { quantity: 30, price: 100 });
}

beforeAll(async () => {
  // OCO by default; strategy e2e-watch is watched by the OMS. Fast polls, no square-off (the tests trade NRML).
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-e2e-')), 'monitor.json');
  fs.writeFileSync(file, JSON.stringify({
    mode: 'oco', pricePollMs: 500, entryPollMs: { min: 300, max: 1000 }, squareOff: { enabled: false }, strategies: { 'e2e-watch': { mode: 'watch' } },
  }));
  stack = await startStack({ MONITOR_CONFIG_FILE: file });
  await stack.control('POST', '/control/config', { matching: { mode: 'auto', tickIntervalMs: 0, fillDelayMs: 0, partialSlices: 1 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  ocoSymbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  watchSymbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000PE'))!.tradingsymbol;
  for (const s of [ocoSymbol, watchSymbol]) await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: s, last_price: 100 });
}, 120_000);
afterAll(async () => { await stack?.close(); });

it('when an entry with takeProfit and stopLoss fills in OCO mode, then a target LIMIT and an SL stop (limit 5% under its trigger) for the filled quantity rest at the broker', async () => {
  const cid = uid('mon-oco');
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: cid, strategyId: 'e2e', tradingsymbol: ocoSymbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '100.00',
    takeProfit: '120.00', stopLoss: '90.00',
  });
  expect(placed.status).toBe(202);
  await fillEntry(cid);
  const m = await eventually(() => monitor(`monitor-${cid}`), (x) => x?.status === 'OCO_PLACED', 30_000);
  expect(m).toMatchObject({ status: 'OCO_PLACED', openQuantity: 30, groupId: `group-${cid}-oco`, entryStatus: 'FILLED' });

  const legs = await eventually(
    async () => (await brokerOrders()).filter((o) => o.tradingsymbol === ocoSymbol && o.transaction_type === 'SELL'),
    (os) => os.length === 2, 30_000,
  );
  const byType = Object.fromEntries(legs.map((o) => [o.order_type, o]));
  expect(byType.LIMIT).toMatchObject({ quantity: 30, price: 120, status: 'OPEN' });
  expect(byType.SL).toMatchObject({ quantity: 30, trigger_price: 90, price: 85.5, status: 'TRIGGER PENDING' });
  expect(await netPosition(ocoSymbol)).toBe(30);

  // Cancelling the monitor cancels its OCO legs and leaves the position alone.
  const cancelled = await stack.api('POST', `/api/v1/monitors/monitor-${cid}/cancel`, { reason: 'e2e done' });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.monitor).toMatchObject({ status: 'CANCELLED', openQuantity: 30 });
  const after = await eventually(async () => (await brokerOrders()).filter((o) => legs.some((l) => l.order_id === o.order_id)), (os) => os.every((o) => o.status === 'CANCELLED'));
  expect(after.map((o) => o.status)).toEqual(['CANCELLED', 'CANCELLED']);
  expect(await netPosition(ocoSymbol)).toBe(30);
}, 120_000);

it('when the paper price moves past the stop of an OMS-watched position, then the monitor sells it at MARKET and the broker position is flat', async () => {
  const cid = uid('mon-watch');
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: cid, strategyId: 'e2e-watch', tradingsymbol: watchSymbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '100.00',
    takeProfit: '120.00', stopLoss: '90.00',
  });
  expect(placed.status).toBe(202);
  await fillEntry(cid);
  await eventually(() => monitor(`monitor-${cid}`), (x) => x?.status === 'WATCHING', 30_000);
  expect(await netPosition(watchSymbol)).toBe(30);
  expect((await brokerOrders()).filter((o) => o.tradingsymbol === watchSymbol)).toHaveLength(1); // nothing rests at the broker

  await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: watchSymbol, last_price: 89 });
  const done = await eventually(() => monitor(`monitor-${cid}`), (x) => ['CLOSED', 'ENDED_OPEN', 'CLOSED_ELSEWHERE'].includes(x?.status), 60_000);
  expect(done).toMatchObject({ status: 'CLOSED', closeReason: 'stop', openQuantity: 0, exits: [{ orderId: `order-${cid}-exit-1`, quantity: 30, filledQuantity: 30, status: 'FILLED' }] });
  expect(await netPosition(watchSymbol)).toBe(0);
  const exit = (await stack.api('GET', `/api/v1/orders/order-${cid}-exit-1`)).body.order;
  expect(exit).toMatchObject({ side: 'SELL', orderType: 'MARKET', quantity: 30, status: 'FILLED' });
  const [row] = await stack.sql<{ parent_id: string; leg_role: string }>('select parent_id, leg_role from orders where id = $1', [`order-${cid}-exit-1`]);
  expect(row).toEqual({ parent_id: `monitor-${cid}`, leg_role: 'exit-1' });
}, 120_000);
