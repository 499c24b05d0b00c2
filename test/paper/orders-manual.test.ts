import { rejectionOf, startHarness, type Harness } from './paper-harness';

describe('paper broker, manual matching: order lifecycle driven by the control API', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ rateLimit: { enabled: false, ordersPerSecond: 10 } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.broker.reset());

  const current = async (orderId: string) => (await h.kite.getOrderHistory(orderId)).pop();

  it('when a LIMIT order is placed in manual mode, then it rests OPEN until the control API fills it', async () => {
    const { order_id } = await h.place({ price: 101.25, tag: 'rest-1' });
    expect(await current(order_id)).toMatchObject({ status: 'OPEN', price: 101.25, pending_quantity: 30 });

    const filled = await h.control('POST', `/control/orders/${order_id}/fill`, {});
    expect(filled.trade).toMatchObject({ order_id, quantity: 30, average_price: 101.25 });
    expect(await current(order_id)).toMatchObject({ status: 'COMPLETE', filled_quantity: 30, average_price: 101.25 });
  });

  it('when the control API fills part of an order at two prices, then the average price is the volume-weighted mean', async () => {
    const { order_id } = await h.place({ price: 100, quantity: 90 });
    await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 30, price: 99.5 });
    expect(await current(order_id)).toMatchObject({ status: 'OPEN', filled_quantity: 30, pending_quantity: 60 });
    await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 60, price: 100 });
    const done = await current(order_id);
    expect(done).toMatchObject({ status: 'COMPLETE', filled_quantity: 90 });
    expect(done?.average_price).toBeCloseTo(99.83, 2);
    const trades = await h.kite.getOrderTrades(order_id);
    expect(trades.map((t) => [t.quantity, t.average_price])).toEqual([[30, 99.5], [60, 100]]);
  });

  it('when a working order is modified, then the new terms apply and the history records the modification', async () => {
    const { order_id } = await h.place({ price: 100, quantity: 60 });
    await h.kite.modifyOrder('regular', order_id, { price: 102.5, quantity: 90 });
    const history = await h.kite.getOrderHistory(order_id);
    expect(history.map((e) => e.status).slice(-4)).toEqual(['MODIFY VALIDATION PENDING', 'MODIFY PENDING', 'MODIFIED', 'OPEN']);
    expect(history.pop()).toMatchObject({ price: 102.5, quantity: 90, pending_quantity: 90, modified: true });
  });

  it('when a partly filled order is modified below its filled quantity, then Kite answers OrderException', async () => {
    const { order_id } = await h.place({ price: 100, quantity: 90 });
    await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 60 });
    const err = await rejectionOf(h.kite.modifyOrder('regular', order_id, { quantity: 60 }));
    expect(err.error_type).toBe('OrderException');
  });

  it('when a partly filled order is cancelled, then the rest is cancelled and the fill stays', async () => {
    const { order_id } = await h.place({ price: 100, quantity: 90 });
    await h.control('POST', `/control/orders/${order_id}/fill`, { quantity: 30 });
    expect(await h.kite.cancelOrder('regular', order_id)).toEqual({ order_id });
    const history = await h.kite.getOrderHistory(order_id);
    expect(history.map((e) => e.status).slice(-2)).toEqual(['CANCEL PENDING', 'CANCELLED']);
    expect(history.pop()).toMatchObject({ filled_quantity: 30, cancelled_quantity: 60, pending_quantity: 0 });
  });

  it('when a completed order is cancelled or modified, then Kite answers OrderException', async () => {
    const { order_id } = await h.place({ price: 100 });
    await h.control('POST', `/control/orders/${order_id}/fill`, {});
    expect((await rejectionOf(h.kite.cancelOrder('regular', order_id))).error_type).toBe('OrderException');
    expect((await rejectionOf(h.kite.modifyOrder('regular', order_id, { price: 99 }))).error_type).toBe('OrderException');
  });

  it('when the exchange rejects or cancels a working order, then it ends REJECTED / CANCELLED with the message', async () => {
    const a = await h.place({ price: 100 });
    const b = await h.place({ price: 100 });
    await h.control('POST', `/control/orders/${a.order_id}/reject`, { message: 'RMS: blocked' });
    await h.control('POST', `/control/orders/${b.order_id}/cancel`, {});
    expect(await current(a.order_id)).toMatchObject({ status: 'REJECTED', status_message: 'RMS: blocked' });
    expect(await current(b.order_id)).toMatchObject({ status: 'CANCELLED', cancelled_quantity: 30 });
  });

  it.each([
    ['a tag longer than 20 characters', { tag: 'x'.repeat(21) }, /Tag/],
    ['a quantity that is not a multiple of the lot size (30)', { quantity: 45 }, /lot size/],
    ['a quantity above the freeze limit', { quantity: 630 }, /freeze/],
    ['a price off the 0.05 tick', { price: 100.02 }, /[Tt]ick size/],
    ['a MARKET order without market_protection', { order_type: 'MARKET', price: undefined }, /market_protection/],
    ['an SL-M order on an option (blocked by the exchange for options)', { order_type: 'SL-M', trigger_price: 5000, price: undefined, market_protection: -1 }, /SL-M orders are blocked for options/],
    ['a LIMIT order without a price', { price: undefined }, /price/],
    ['an unknown instrument', { tradingsymbol: 'BANKNIFTY99JAN1CE' }, /instrument/],
    ['an order on the index', { exchange: 'NSE', tradingsymbol: 'NIFTY BANK' }, /index/],
    ['CNC on F&O', { product: 'CNC' }, /NRML/],
    ['an SL buy whose trigger is below the last price', { order_type: 'SL', trigger_price: 1, price: 1 }, /last traded price/],
  ])('when an order has %s, then Kite answers 400 InputException and no order is created', async (_what, params, message) => {
    const err = await rejectionOf(h.place(params));
    expect(err.error_type).toBe('InputException');
    expect(err.message).toMatch(message);
    expect((await h.control('GET', '/control/orders')).count).toBe(0);
  });

  it('when an SL-M order on a future has no market_protection, then Kite answers 400 InputException', async () => {
    const future = h.broker.instruments().find((i) => i.instrument_type === 'FUT')!;
    const err = await rejectionOf(h.place({ tradingsymbol: future.tradingsymbol, order_type: 'SL-M', trigger_price: 60000, price: undefined }));
    expect(err).toMatchObject({ error_type: 'InputException', message: expect.stringMatching(/market_protection/) });
  });

  it('when a working option order is modified to SL-M, then Kite answers 400 InputException and the order keeps its terms', async () => {
    const { order_id } = await h.place({ price: 100 });
    const err = await rejectionOf(h.kite.modifyOrder('regular', order_id, { order_type: 'SL-M', trigger_price: 5000, market_protection: -1 } as any));
    expect(err).toMatchObject({ error_type: 'InputException', message: expect.stringMatching(/SL-M orders are blocked for options/) });
    expect((await h.kite.getOrderHistory(order_id)).pop()).toMatchObject({ status: 'OPEN', order_type: 'LIMIT', price: 100 });
  });

  it('when the variety is co or iceberg, then the paper broker answers InputException', async () => {
    expect((await rejectionOf(h.place({}, 'co'))).error_type).toBe('InputException');
    expect((await rejectionOf(h.place({}, 'iceberg'))).message).toMatch(/not supported/);
  });

  it('when an order needs more margin than available, then it is accepted and then REJECTED by RMS', async () => {
    const { order_id } = await h.place({ price: 5000, quantity: 600 }); // 30 lakh premium > 10 lakh cash
    const order = await current(order_id);
    expect(order).toMatchObject({ status: 'REJECTED' });
    expect(order?.status_message).toMatch(/Insufficient funds/);
  });

  it('when autoslice is requested above the freeze quantity, then the order is split into child orders', async () => {
    const res = (await h.place({ price: 10, quantity: 1230, autoslice: true })) as any;
    expect(res.children).toHaveLength(3);
    const orders = await h.kite.getOrders();
    expect(orders.map((o) => o.quantity)).toEqual([600, 600, 30]);
    expect(res.order_id).toBe(orders[0]?.order_id);
  });

  it('when an order id is unknown, then Kite answers a 404 GeneralException', async () => {
    expect((await rejectionOf(h.kite.getOrderHistory('999'))).error_type).toBe('GeneralException');
  });

  it('when orders are listed by the control API with a tag, then only that tag counts', async () => {
    await h.place({ tag: 'alpha' });
    await h.place({ tag: 'alpha' });
    await h.place({ tag: 'beta' });
    const alpha = await h.control('GET', '/control/orders?tag=alpha');
    expect(alpha.count).toBe(2);
    expect(alpha.orders[0]).toMatchObject({ tag: 'alpha', requests: { place: 1, modify: 0, cancel: 0 }, request_count: 1 });
  });
});
