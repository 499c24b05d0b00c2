import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPaperBroker } from '../../src/paper/paper-broker';
import { paperStateFile, readSnapshot } from '../../src/paper/persistence';
import { API_KEY, API_SECRET, rejectionOf, startHarness, waitFor, type Harness } from './paper-harness';

const quiet = () => undefined;

describe('paper broker: the book survives a restart on the same data folder', () => {
  let dataDir: string;
  let stateFile: string;
  const open: Harness[] = [];
  const start = async (overrides: Parameters<typeof startHarness>[0] = {}) => {
    const h = await startHarness({ rateLimit: { enabled: false, ordersPerSecond: 10 }, stateFile, saveDebounceMs: 20, ...overrides });
    open.push(h);
    return h;
  };
  const restart = async (h: Harness, overrides: Parameters<typeof startHarness>[0] = {}) => {
    await h.close();
    return start(overrides);
  };

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paper-state-'));
    stateFile = paperStateFile(dataDir);
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });

  /** Everything a client (and the OMS's reconciliation) reads, over HTTP through kiteconnect. */
  const brokerView = async (h: Harness) => {
    const orders = await h.kite.getOrders();
    return {
      orders,
      histories: await Promise.all(orders.map((o) => h.kite.getOrderHistory(o.order_id))),
      orderTrades: await Promise.all(orders.map((o) => h.kite.getOrderTrades(o.order_id))),
      trades: await h.kite.getTrades(),
      positions: await h.kite.getPositions(),
      margins: await h.kite.getMargins('equity'),
    };
  };

  it('when orders were placed, filled, partly filled and cancelled, then after a restart GET /orders, /trades and /portfolio/positions answer the same', async () => {
    const h = await start();
    const done = await h.place({ price: 100, tag: 'done-1' });
    await h.control('POST', `/control/orders/${done.order_id}/fill`, {});
    const partly = await h.place({ price: 101, quantity: 90, tag: 'partly-1' });
    await h.control('POST', `/control/orders/${partly.order_id}/fill`, { quantity: 30, price: 100.5 });
    const cancelled = await h.place({ price: 99, tag: 'cancel-1' });
    await h.kite.cancelOrder('regular', cancelled.order_id);
    const sold = await h.place({ transaction_type: 'SELL', price: 110, quantity: 30, product: 'MIS', tag: 'sell-1' });
    await h.control('POST', `/control/orders/${sold.order_id}/fill`, { price: 110 });
    const before = await brokerView(h);
    expect(before.positions.net.length).toBeGreaterThan(0);

    const again = await restart(h);

    expect(await brokerView(again)).toEqual(before);
  });

  it('when the broker is restarted, then a working order still works there and new ids never repeat an old one', async () => {
    const h = await start();
    const working = await h.place({ price: 100, quantity: 60 });
    await h.control('POST', `/control/orders/${working.order_id}/fill`, { quantity: 30 });
    const tradeIds = (await h.kite.getTrades()).map((t) => t.trade_id);

    const again = await restart(h);
    await again.control('POST', `/control/orders/${working.order_id}/fill`, {});
    const next = await again.place({ price: 100 });
    await again.control('POST', `/control/orders/${next.order_id}/fill`, {});

    expect((await again.kite.getOrderHistory(working.order_id)).pop()).toMatchObject({ status: 'COMPLETE', filled_quantity: 60 });
    expect(next.order_id).not.toBe(working.order_id);
    const trades = await again.kite.getTrades();
    expect(trades).toHaveLength(3);
    expect(new Set(trades.map((t) => t.trade_id)).size).toBe(3);
    expect(trades.map((t) => t.trade_id).slice(0, 1)).toEqual(tradeIds);
    expect((await again.kite.getPositions()).net).toEqual([expect.objectContaining({ quantity: 90, buy_quantity: 90 })]);
  });

  it('when the saved id sequences are ahead of this process (a new process the same day), then new ids continue after them', async () => {
    const h = await start();
    await h.place({ price: 100 });
    await h.close();
    const saved = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    saved.sequences.order += 5_000_000;
    fs.writeFileSync(stateFile, JSON.stringify(saved));

    const again = await start();
    const { order_id } = await again.place({ price: 100 });

    expect(Number(order_id.slice(6))).toBe((saved.sequences.order + 1) % 1e9);
  });

  it('when a restored LIMIT order rests in auto matching, then a price through its limit fills it', async () => {
    const h = await start();
    const resting = await h.place({ price: 100 });
    const again = await restart(h, { matching: { mode: 'auto' } });

    await again.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: again.option.tradingsymbol, last_price: 99 });

    const done = await waitFor(async () => {
      const last = (await again.kite.getOrderHistory(resting.order_id)).pop();
      return last?.status === 'COMPLETE' && last;
    });
    expect(done).toMatchObject({ filled_quantity: 30, average_price: 100 });
  });

  it('when the broker dies without closing, then what happened up to the last save is there for the next one', async () => {
    const h = await start();
    const { order_id } = await h.place({ price: 100, tag: 'crash-1' });
    await h.control('POST', `/control/orders/${order_id}/fill`, {});
    // No close(): the debounced save alone must have written the fill.
    await waitFor(() => readSnapshot(stateFile)?.orders.some((o) => o.state.orderId === order_id && o.state.status === 'COMPLETE'), 2000);

    const second = await start();

    expect((await second.kite.getOrders()).map((o) => [o.order_id, o.status, o.tag])).toEqual([[order_id, 'COMPLETE', 'crash-1']]);
    expect((await second.kite.getPositions()).net).toEqual([expect.objectContaining({ quantity: 30 })]);
  });

  it('when the access token was rotated, then the restarted broker accepts the new token only', async () => {
    const h = await start();
    await h.control('POST', '/control/session', { accessToken: 'rotated_token' });
    const again = await restart(h);

    expect((await rejectionOf(again.kite.getOrders())).error_type).toBe('TokenException');
    again.kite.setAccessToken('rotated_token');
    expect(await again.kite.getOrders()).toEqual([]);
  });

  it('when the book is reset, then the restarted broker starts empty', async () => {
    const h = await start();
    await h.place({ price: 100 });
    await h.control('POST', '/control/reset');
    const again = await restart(h);
    expect(await again.kite.getOrders()).toEqual([]);
  });

  it('when the state file is not a paper book, then the broker refuses to start naming the file', () => {
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    fs.writeFileSync(stateFile, '{"version": 99}');
    expect(() => createPaperBroker({ apiKey: API_KEY, accessToken: 'x', apiSecret: API_SECRET, logger: quiet, stateFile })).toThrow(stateFile);
  });

  it('when the file is saved, then it is replaced whole: no temp file is left beside it', async () => {
    const h = await start();
    await h.place({ price: 100 });
    await h.broker.saveState();
    expect(fs.readdirSync(path.dirname(stateFile))).toEqual(['state.json']);
  });
});
