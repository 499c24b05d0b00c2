import { startHarness, waitFor, type Harness } from './paper-harness';

describe('paper broker, auto matching (real kiteconnect client over HTTP)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ matching: { mode: 'auto', fillDelayMs: 20, partialSlices: 1, sliceIntervalMs: 20, tickIntervalMs: 0 } });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    h.broker.reset();
    await h.control('POST', '/control/config', { matching: { mode: 'auto', fillDelayMs: 20, partialSlices: 1, sliceIntervalMs: 20, tickIntervalMs: 0, slippageTicks: 0 } });
    await h.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, last_price: 250 });
  });

  const complete = (orderId: string) =>
    waitFor(async () => {
      const orders = await h.kite.getOrders();
      const order = orders.find((o) => o.order_id === orderId);
      return order?.status === 'COMPLETE' ? order : undefined;
    });

  it('when a MARKET buy with market_protection -1 is placed, then it fills at the ask and walks through the transient statuses', async () => {
    const { order_id } = await h.place({ order_type: 'MARKET', market_protection: -1, tag: 'mkt1' });
    expect(order_id).toMatch(/^\d{15}$/);

    const order = await complete(order_id);
    expect(order).toMatchObject({ filled_quantity: 30, pending_quantity: 0, average_price: 250.05, tag: 'mkt1', market_protection: -1 });

    const history = await h.kite.getOrderHistory(order_id);
    expect(history.map((e) => e.status)).toEqual(['PUT ORDER REQ RECEIVED', 'VALIDATION PENDING', 'OPEN PENDING', 'OPEN', 'COMPLETE']);
    expect(history[history.length - 1]?.order_timestamp).toBeInstanceOf(Date);

    const trades = await h.kite.getOrderTrades(order_id);
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ order_id, quantity: 30, average_price: 250.05, transaction_type: 'BUY' });
    expect((await h.kite.getTrades()).map((t) => t.trade_id)).toEqual([trades[0]?.trade_id]);

    const positions = await h.kite.getPositions();
    expect(positions.net).toHaveLength(1);
    expect(positions.net[0]).toMatchObject({
      tradingsymbol: h.option.tradingsymbol, quantity: 30, average_price: 250.05, buy_quantity: 30, buy_value: 7501.5,
      last_price: 250, pnl: -1.5, unrealised: -1.5, realised: 0, multiplier: 1,
    });
    expect(positions.day).toEqual(positions.net);
  });

  it('when slippage is configured, then a MARKET sell fills that many ticks below the bid', async () => {
    await h.control('POST', '/control/config', { matching: { slippageTicks: 2 } });
    const { order_id } = await h.place({ transaction_type: 'SELL', order_type: 'MARKET', market_protection: -1 });
    const order = await complete(order_id);
    expect(order.average_price).toBe(249.85);
  });

  it('when a MARKET order is configured to fill in 3 slices, then it completes in 3 trades and the history shows the partial fills', async () => {
    await h.control('POST', '/control/config', { matching: { partialSlices: 3 } });
    const { order_id } = await h.place({ order_type: 'MARKET', market_protection: -1, quantity: 90 });
    await complete(order_id);
    const trades = await h.kite.getOrderTrades(order_id);
    expect(trades.map((t) => t.quantity)).toEqual([30, 30, 30]);
    expect(new Set(trades.map((t) => t.trade_id)).size).toBe(3);
    const fills = (await h.kite.getOrderHistory(order_id)).map((e) => [e.status, e.filled_quantity]);
    expect(fills.slice(-3)).toEqual([['OPEN', 30], ['OPEN', 60], ['COMPLETE', 90]]);
  });

  it('when a LIMIT buy rests and the price falls through it, then it fills at the limit', async () => {
    const { order_id } = await h.place({ order_type: 'LIMIT', price: 240 });
    await new Promise((r) => setTimeout(r, 60));
    const [resting] = await h.kite.getOrderHistory(order_id).then((hist) => hist.slice(-1));
    expect(resting).toMatchObject({ status: 'OPEN', filled_quantity: 0, pending_quantity: 30 });

    await h.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, last_price: 238.5 });
    const order = await complete(order_id);
    expect(order.average_price).toBe(240);
  });

  it('when a LIMIT buy is marketable on arrival, then it fills at the ask, not at its limit', async () => {
    const { order_id } = await h.place({ order_type: 'LIMIT', price: 260 });
    expect((await complete(order_id)).average_price).toBe(250.05);
  });

  it('when the price rises through an SL buy trigger, then it triggers and fills at the ask within its limit', async () => {
    const { order_id } = await h.place({ order_type: 'SL', trigger_price: 255, price: 256 });
    expect((await h.kite.getOrderHistory(order_id)).pop()?.status).toBe('TRIGGER PENDING');
    await h.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, last_price: 255.5 });
    const order = await complete(order_id);
    expect(order.average_price).toBe(255.55);
    const statuses = (await h.kite.getOrderHistory(order_id)).map((e) => e.status);
    expect(statuses.slice(-3)).toEqual(['TRIGGER PENDING', 'OPEN', 'COMPLETE']);
  });

  it('when an SL buy triggers above its limit, then it rests OPEN as a limit order', async () => {
    const { order_id } = await h.place({ order_type: 'SL', trigger_price: 255, price: 256 });
    await h.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, last_price: 257 });
    await new Promise((r) => setTimeout(r, 60));
    expect((await h.kite.getOrderHistory(order_id)).pop()).toMatchObject({ status: 'OPEN', filled_quantity: 0 });
  });

  it('when an IOC LIMIT cannot fill on arrival, then it is cancelled', async () => {
    const { order_id } = await h.place({ order_type: 'LIMIT', price: 200, validity: 'IOC' });
    const [order] = (await h.kite.getOrders()).filter((o) => o.order_id === order_id);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelled_quantity: 30 });
  });
});
