import { createHash } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { eventually, startStack, type Stack } from './stack';

let stack: Stack;
let symbol: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;

const sql = <T = any>(text: string, params: unknown[] = []) => stack.sql<T>(text, params);
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const brokerOrdersFor = (tag: string) => stack.control('GET', `/control/orders?tag=${tag}`).then((d) => d.orders as any[]);

beforeAll(async () => {
  stack = await startStack();
  const instruments = await stack.control('GET', '/control/instruments');
  symbol = (instruments as any[]).find((i) => /BANKNIFTY\d{2}[A-Z]{3}52000CE$/.test(i.tradingsymbol)).tradingsymbol;
}, 120_000);
afterAll(async () => { await stack?.close(); });
afterEach(async () => { await stack.control('DELETE', '/control/faults'); await stack.control('POST', '/control/config', { matching: { mode: 'auto' } }); });

const market = (clientOrderId: string, extra: Record<string, unknown> = {}) => ({ clientOrderId, strategyId: 'e2e', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'NRML', ...extra });

describe('an order through the whole stack (API -> Temporal -> paper broker over kiteconnect -> Postgres)', () => {
  it('when a MARKET order is placed, then it is FILLED and its row, fills and audit trail are in Postgres', async () => {
    const res = await stack.api('POST', '/api/v1/orders', market(cid('mkt')));
    expect(res.status).toBe(202);
    const id = res.body.order.orderId;
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED');
    expect(done).toMatchObject({ status: 'FILLED', filledQuantity: 30, pendingQuantity: 0 });
    const [row] = await sql('select status, filled_quantity, broker_order_id, average_price::text as avg from orders where id = $1', [id]);
    expect(row).toMatchObject({ status: 'FILLED', filled_quantity: 30 });
    const trades = await sql('select quantity, price::text as price from trades where order_id = $1', [id]);
    expect(trades.reduce((s, t) => s + t.quantity, 0)).toBe(30);
    const events = await sql<{ to_status: string }>('select to_status from order_events where order_id = $1 and to_status is not null order by sequence', [id]);
    expect(events.map((e) => e.to_status)).toEqual(expect.arrayContaining(['PENDING', 'SUBMITTED', 'FILLED']));
    expect(await brokerOrdersFor(done.tag)).toHaveLength(1);
  });

  it('when a LIMIT order fills in two parts, then it passes PARTIALLY_FILLED and the average is volume-weighted', async () => {
    await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
    const res = await stack.api('POST', '/api/v1/orders', market(cid('lim'), { quantity: 90, orderType: 'LIMIT', price: '100.00' }));
    const id = res.body.order.orderId;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN');
    await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, { quantity: 30, price: 100 });
    await eventually(() => order(id), (o) => o.status === 'PARTIALLY_FILLED');
    await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, { quantity: 60, price: 99.5 });
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED');
    expect(done.averagePrice).toBe('99.6667'); // (30*100 + 60*99.5) / 90
    const statuses = (await sql('select to_status from order_events where order_id = $1 and to_status is not null order by sequence', [id])).map((r) => r.to_status);
    expect(statuses).toEqual(['PENDING', 'SUBMITTED', 'OPEN', 'PARTIALLY_FILLED', 'FILLED']);
    expect((await sql('select count(*)::int as n from trades where order_id = $1', [id]))[0].n).toBe(2);
  });

  it('when the same order is posted twice, then there is one order and one broker order; a different payload gets 409', async () => {
    const body = market(cid('dup'));
    const [a, b] = await Promise.all([stack.api('POST', '/api/v1/orders', body), stack.api('POST', '/api/v1/orders', body)]);
    expect([a.status, b.status].every((s) => s === 202 || s === 200)).toBe(true);
    expect(a.body.order.orderId).toBe(b.body.order.orderId);
    const done = await eventually(() => order(a.body.order.orderId), (o) => o.status === 'FILLED');
    const again = await stack.api('POST', '/api/v1/orders', body);
    expect(again.body.order.orderId).toBe(done.orderId);
    const conflict = await stack.api('POST', '/api/v1/orders', { ...body, quantity: 60 });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await brokerOrdersFor(done.tag)).toHaveLength(1);
  });

  it('when the payload is malformed, then it is a 400 with field details and no workflow exists', async () => {
    const id = cid('bad');
    const res = await stack.api('POST', '/api/v1/orders', { ...market(id), quantity: -30, side: 'HOLD' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.map((d: any) => d.path)).toEqual(expect.arrayContaining(['quantity', 'side']));
    await expect(stack.client.workflow.getHandle(`order-${id}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    const notJson = await stack.api('POST', '/api/v1/orders', '{not json');
    expect(notJson.status).toBe(400);
  });

  it('when a quantity is not a lot multiple, then it is a 422 naming the check and the order is stored REJECTED', async () => {
    const res = await stack.api('POST', '/api/v1/orders', market(cid('lot'), { quantity: 45 }));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'RISK_REJECTED', details: { check: 'lot_size', reasonCode: 'QUANTITY_NOT_LOT_MULTIPLE', values: { quantity: 45, lotSize: 30 } } });
    const [row] = await sql('select status, status_message from orders where id = $1', [res.body.error.details.order.orderId]);
    expect(row.status).toBe('REJECTED');
    expect(row.status_message).toMatch(/lot size 30/);
  });

  it('when a resting order is modified and then cancelled, then the broker shows both, a second cancel answers the cancelled order and a modify of it is a 409', async () => {
    await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
    const res = await stack.api('POST', '/api/v1/orders', market(cid('mod'), { orderType: 'LIMIT', price: '50.00' }));
    const id = res.body.order.orderId;
    await eventually(() => order(id), (o) => o.status === 'OPEN');
    const modified = await stack.api('PATCH', `/api/v1/orders/${id}`, { price: '51.50', quantity: 60 });
    expect(modified.status).toBe(200);
    expect(modified.body.order).toMatchObject({ price: '51.50', quantity: 60 });
    const [brokerOrder] = await brokerOrdersFor(modified.body.order.tag);
    expect(brokerOrder).toMatchObject({ price: 51.5, quantity: 60 });
    const badModify = await stack.api('PATCH', `/api/v1/orders/${id}`, { quantity: 45 });
    expect(badModify.status).toBe(422);
    const cancelled = await stack.api('DELETE', `/api/v1/orders/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.order.status).toBe('CANCELLED');
    // a DELETE sent again (its answer was lost) answers the cancelled order; a modify of it is a 409
    const again = await stack.api('DELETE', `/api/v1/orders/${id}`);
    expect(again.status).toBe(200);
    expect(again.body.order).toMatchObject({ orderId: id, status: 'CANCELLED' });
    const late = await stack.api('PATCH', `/api/v1/orders/${id}`, { price: '51.00' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ORDER_NOT_CHANGEABLE');
  });

  it('when every postback is lost, then the order still completes by polling', async () => {
    await stack.control('POST', '/control/faults', { kind: 'drop_postbacks' });
    const res = await stack.api('POST', '/api/v1/orders', market(cid('lost')));
    const done = await eventually(() => order(res.body.order.orderId), (o) => o.status === 'FILLED');
    expect(done.filledQuantity).toBe(30);
    const sources = await sql('select distinct source from order_events where order_id = $1', [done.orderId]);
    expect(sources.map((s) => s.source)).not.toContain('broker-postback');
  });

  it('when a postback has a bad checksum, then it is a 401 and nothing changes', async () => {
    const res = await stack.api('POST', '/api/v1/webhooks/kite', { order_id: '1', order_timestamp: '2026-11-24 10:00:00', checksum: 'ab'.repeat(32), status: 'COMPLETE' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('BAD_CHECKSUM');
    const good = createHash('sha256').update('1' + '2026-11-24 10:00:00' + 'paper_secret').digest('hex');
    const ok = await stack.api('POST', '/api/v1/webhooks/kite', { order_id: '1', order_timestamp: '2026-11-24 10:00:00', checksum: good, status: 'COMPLETE' });
    expect(ok.body).toEqual({ received: true, delivered: false });
  });

  it('when the broker accepts an order but the response times out, then the order is found by its tag and never placed twice', async () => {
    await stack.control('POST', '/control/faults', { kind: 'accept_then_timeout', count: 1, delayMs: 4000 });
    const res = await stack.api('POST', '/api/v1/orders', market(cid('tmo')));
    const id = res.body.order.orderId;
    const done = await eventually(() => order(id), (o) => o.status === 'FILLED', 60_000);
    expect(await brokerOrdersFor(done.tag)).toHaveLength(1);
    const [submitted] = await sql('select payload from order_events where order_id = $1 and to_status = $2', [id, 'SUBMITTED']);
    expect(submitted.payload.recoveredByTag).toBe(true);
  });
});
