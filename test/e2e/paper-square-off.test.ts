import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, startStack, type Stack } from './stack';

/** The MIS square-off in paper mode follows the paper broker's session (API -> monitor policy -> monitor workflow). */
let stack: Stack;
let symbols: string[];

const uid = (p: string) => `${p}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

async function netPosition(symbol: string): Promise<number> {
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { authorization: 'token paper_key:paper_token', 'x-kite-version': '3' } });
  const body = await res.json() as { data: { net: { tradingsymbol: string; quantity: number }[] } };
  return body.data.net.find((p) => p.tradingsymbol === symbol)?.quantity ?? 0;
}

/** An MIS MARKET buy of one lot, without take profit or stop loss: only the square-off would give it a monitor. */
async function buyMis(cid: string, symbol: string): Promise<void> {
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: cid, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'MIS',
  });
  expect(placed.status).toBe(202);
  await eventually(() => stack.api('GET', `/api/v1/orders/order-${cid}`).then((r) => r.body.order), (o) => o?.status === 'FILLED', 30_000);
}

beforeAll(async () => {
  // The shipped square-off (15:15 IST, MIS, every MIS order monitored), polling fast.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'square-off-e2e-')), 'monitor.json');
  fs.writeFileSync(file, JSON.stringify({ pricePollMs: 500, entryPollMs: { min: 300, max: 1000 }, squareOff: { enabled: true, time: '15:15', products: ['MIS'], allOrders: true } }));
  stack = await startStack({ MONITOR_CONFIG_FILE: file });
  await stack.control('POST', '/control/config', { matching: { mode: 'auto', tickIntervalMs: 0, fillDelayMs: 0, partialSlices: 1 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  symbols = ['52000CE', '52000PE'].map((s) => instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith(s))!.tradingsymbol);
  for (const s of symbols) await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: s, last_price: 100 });
}, 120_000);
afterAll(async () => { await stack?.close(); });

it('when the paper session is always open (the default), then a filled MIS order is not squared off at any hour', async () => {
  const cid = uid('mis-open');
  await buyMis(cid, symbols[0]);
  expect((await stack.api('GET', `/api/v1/monitors/monitor-${cid}`)).status).toBe(404);
  // Were it squared off (at once, after 15:15 IST), its exit would be at the broker within a few polls.
  await new Promise((r) => setTimeout(r, 3000));
  expect(await netPosition(symbols[0])).toBe(30);
});

it('when the paper session sets its own square-off time, then an MIS order filled after it is squared off at once', async () => {
  await stack.control('POST', '/control/config', { session: { squareOffTime: '00:00' } });
  try {
    const cid = uid('mis-due');
    await buyMis(cid, symbols[1]);
    const m = await eventually(() => stack.api('GET', `/api/v1/monitors/monitor-${cid}`).then((r) => r.body.monitor), (x) => x?.status === 'CLOSED', 30_000);
    expect(m).toMatchObject({ closeReason: 'square-off', policy: { squareOffAt: '00:00' } });
    expect(await eventually(() => netPosition(symbols[1]), (q) => q === 0, 30_000)).toBe(0);
  } finally {
    await stack.control('POST', '/control/config', { session: { squareOffTime: null } });
  }
});
