import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { TEST_KEYS } from '../support/access-config';
import { AUDIT_COLUMNS } from '../../src/services/report-service';
import { eventually, startStack, type Stack } from './stack';

/** Operator APIs on the paper broker: cancel-all with filters, the metrics summary against known orders, the audit export. */
let stack: Stack;
let ce: string;
let pe: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (body: Record<string, unknown>) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid('op'), tradingsymbol: ce, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '90.00', product: 'NRML', ...body,
});
const resting = async (body: Record<string, unknown>) => {
  const r = await place(body);
  expect(r.status).toBe(202);
  return (await eventually(() => order(r.body.order.orderId), (o) => o.status === 'OPEN')).orderId as string;
};

beforeAll(async () => {
  stack = await startStack({ RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({})) });
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0, slippageTicks: 0 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  ce = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  pe = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000PE'))!.tradingsymbol;
  for (const s of [ce, pe]) await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: s, last_price: 100 });
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('POST /api/v1/orders/cancel-all', () => {
  it('when filtered by strategy and symbol, then only the matching live orders are cancelled, each with its result', async () => {
    const c1ce = await resting({ strategyId: 'c1' });
    const c1pe = await resting({ strategyId: 'c1', tradingsymbol: pe });
    const c2ce = await resting({ strategyId: 'c2' });

    const first = await stack.api('POST', '/api/v1/orders/cancel-all', { strategyId: 'c1', tradingsymbol: ce });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ filter: { strategyId: 'c1', tradingsymbol: ce }, asked: 1, cancelled: 1, failed: 0 });
    expect(first.body.results).toEqual([expect.objectContaining({ orderId: c1ce, statusBefore: 'OPEN', outcome: 'cancelled', status: 'CANCELLED' })]);
    expect((await order(c1pe)).status).toBe('OPEN');
    expect((await order(c2ce)).status).toBe('OPEN');

    const second = await stack.api('POST', '/api/v1/orders/cancel-all', { strategyId: 'c2' });
    expect(second.body.results.map((r: { orderId: string }) => r.orderId)).toEqual([c2ce]);
    const rest = await stack.api('POST', '/api/v1/orders/cancel-all', {});
    // An order cancelled a moment ago may still be live in Postgres: asking again answers 'ended', never a second cancel.
    type R = { orderId: string; outcome: string };
    expect(rest.body.results.filter((r: R) => r.outcome === 'cancelled').map((r: R) => r.orderId)).toEqual([c1pe]);
    expect(rest.body.results.filter((r: R) => r.outcome !== 'cancelled').every((r: R) => r.outcome === 'ended' && r.orderId === c2ce)).toBe(true);
    expect((await order(c1pe)).status).toBe('CANCELLED');
    const none = await eventually(() => stack.api('POST', '/api/v1/orders/cancel-all', {}), (r) => r.body.asked === 0);
    expect(none.body).toMatchObject({ asked: 0, results: [] });
  });

  it('when a strategy key asks, then it is 403; when a filter is malformed, then it is 400 VALIDATION_FAILED', async () => {
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'POST', '/api/v1/orders/cancel-all', {})).status).toBe(403);
    const bad = await stack.api('POST', '/api/v1/orders/cancel-all', { tradingsymbol: 'lower case' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'tradingsymbol' })] });
  });
});

describe('GET /api/v1/metrics/summary and GET /api/v1/audit', () => {
  let filledId: string;
  beforeAll(async () => {
    // m1: one order filled after a broker 503 (one retry), one cancelled, one refused by the broker.
    await stack.control('POST', '/control/faults', { kind: 'http_error', status: 503, routes: 'orders' });
    const filled = await place({ strategyId: 'm1', orderType: 'MARKET', price: undefined });
    filledId = filled.body.order.orderId;
    await eventually(() => order(filledId), (o) => o.status === 'FILLED');
    const open = await resting({ strategyId: 'm1' });
    await stack.api('DELETE', `/api/v1/orders/${open}`);
    await stack.control('POST', '/control/faults', { kind: 'reject_next', error_type: 'InputException', message: 'Invalid price' });
    const refused = await place({ strategyId: 'm1' });
    // The summary reads Postgres: wait for each order's final row there, not just its workflow.
    const stored = () => stack.sql<{ status: string }>(`SELECT status FROM orders WHERE strategy_id = 'm1' ORDER BY created_at`);
    const rows = await eventually(stored, (r) => r.map((x) => x.status).sort().join() === 'CANCELLED,FILLED,REJECTED');
    expect(rows.map((x) => x.status).sort()).toEqual(['CANCELLED', 'FILLED', 'REJECTED']);
    expect(refused.status).toBe(202);
  });

  it('when the summary is asked for a strategy, then the rates, fill time, rejections and retries match its orders', async () => {
    const r = await stack.api('GET', '/api/v1/metrics/summary?strategyId=m1');
    expect(r.status).toBe(200);
    expect(r.body.summary).toMatchObject({
      orders: { total: 3, finished: 3, filled: 1, cancelled: 1, rejected: 1, failed: 0, expired: 0 },
      successRate: '66.67%', fillRate: '33.33%', rejectionsByCheck: { broker: 1 }, retries: 1, ladderSteps: { chase: 0, fallback: 0, total: 0 },
    });
    expect(r.body.summary.averageFillTimeMs).toEqual(expect.any(Number));
    const empty = await stack.api('GET', `/api/v1/metrics/summary?strategyId=m1&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(empty.body.summary).toMatchObject({ orders: { total: 0 }, successRate: 'n/a', averageFillTimeMs: null });
  });

  it('when a strategy key asks for another strategy, then 403; for a bad time, then 400', async () => {
    const other = await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/metrics/summary?strategyId=m1');
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('STRATEGY_NOT_ALLOWED');
    const own = await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/metrics/summary');
    expect(own.body.summary.orders.total).toBe(0); // its strategies (e2e, s1) placed nothing here
    const bad = await stack.api('GET', '/api/v1/metrics/summary?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('when the audit of an order is read as JSON pages, then the events come in order and the pages join without overlap', async () => {
    const all = await stack.api('GET', `/api/v1/audit?orderId=${filledId}`);
    expect(all.status).toBe(200);
    const types = all.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['VALIDATED', 'RETRY_SCHEDULED', 'FILL']));
    expect(all.body.events.every((e: { orderId: string; strategyId: string }) => e.orderId === filledId && e.strategyId === 'm1')).toBe(true);
    const page1 = await stack.api('GET', `/api/v1/audit?orderId=${filledId}&limit=2`);
    expect(page1.body.events).toHaveLength(2);
    const page2 = await stack.api('GET', `/api/v1/audit?orderId=${filledId}&limit=1000&cursor=${page1.body.nextCursor}`);
    expect([...page1.body.events, ...page2.body.events].map((e: { id: string }) => e.id)).toEqual(all.body.events.map((e: { id: string }) => e.id));
    expect(page2.body.nextCursor).toBeNull();
  });

  it('when the audit is exported as CSV, then it has a header row and one escaped record per event', async () => {
    const res = await fetch(`${stack.sys.apiUrl}/api/v1/audit?orderId=${filledId}&format=csv`, { headers: { 'x-api-key': TEST_KEYS.operator } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await res.text();
    const json = (await stack.api('GET', `/api/v1/audit?orderId=${filledId}`)).body.events;
    const records = text.split('\r\n').filter(Boolean);
    expect(records[0]).toBe(AUDIT_COLUMNS.join(','));
    expect(records).toHaveLength(json.length + 1);
    expect(records[1].startsWith(`${json[0].id},${filledId},`)).toBe(true);
    expect(text).toContain('"{""'); // JSON payloads quoted, their quotes doubled
  });

  it('when the audit is asked with bad input or for another strategy\'s order, then 400 or 404', async () => {
    expect((await stack.api('GET', '/api/v1/audit?limit=0')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await stack.api('GET', '/api/v1/audit?format=xml')).status).toBe(400);
    expect((await stack.api('GET', '/api/v1/audit?cursor=garbage')).body.error.code).toBe('BAD_CURSOR');
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'GET', `/api/v1/audit?orderId=${filledId}`)).status).toBe(404);
  });
});
