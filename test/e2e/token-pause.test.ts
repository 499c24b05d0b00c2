import { OrderIntervention } from '../../src/workflows/search-attributes';
import { TEST_KEYS } from '../support/access-config';
import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * Kite's access token expires daily. When the broker answers 403 TokenException, an order pauses (it neither fails nor
 * retries in vain), shows why in the API and the Temporal UI, and goes on once an operator supplies a fresh token and
 * resumes it — or ends when the operator abandons it.
 */
let stack: Stack;
let symbol: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);

beforeAll(async () => {
  // Quotes cannot be refreshed while the token is dead; a long maximum age keeps the gate from refusing on staleness.
  stack = await startStack({ RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({ marketData: { maxAgeMs: 3_600_000 } })) });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments: { tradingsymbol: string }[] = await stack.control('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('token expiry pauses orders for an operator', () => {
  it('when the token expires while an order works, then it pauses visibly; a fresh token and a resume let it fill', async () => {
    const placed = await stack.api('POST', '/api/v1/orders', { clientOrderId: cid('tok'), strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML' });
    expect(placed.status).toBe(202);
    const id = placed.body.order.orderId;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN');

    await stack.control('POST', '/control/session', { accessToken: 'fresh-token-1' });
    const paused = await eventually(() => order(id), (o) => o.intervention?.reason === 'TOKEN_EXPIRED');
    expect(paused).toMatchObject({ status: 'OPEN', intervention: { reason: 'TOKEN_EXPIRED', actions: ['resume', 'abandon'] } });
    // The list is read from Postgres, which the workflow's save reaches just after its state shows the pause.
    const waiting = await eventually(() => stack.api('GET', '/api/v1/interventions'), (r) => r.body.interventions.length > 0);
    expect(waiting.body.interventions).toEqual([expect.objectContaining({ orderId: id, intervention: expect.objectContaining({ reason: 'TOKEN_EXPIRED' }) })]);
    const described = await eventually(() => stack.client.workflow.getHandle(id).describe(), (d) => d.typedSearchAttributes.get(OrderIntervention) === 'TOKEN_EXPIRED');
    expect(described.typedSearchAttributes.get(OrderIntervention)).toBe('TOKEN_EXPIRED');

    expect((await stack.apiAs(TEST_KEYS.strategyA, 'POST', `/api/v1/orders/${id}/interventions`, { action: 'resume' })).status).toBe(403);
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'POST', '/api/v1/broker/session', { accessToken: 'fresh-token-1' })).status).toBe(403);
    const session = await stack.api('POST', '/api/v1/broker/session', { accessToken: 'fresh-token-1' });
    expect(session.status).toBe(200);
    expect(JSON.stringify(session.body)).not.toContain('fresh-token-1');
    const resumed = await stack.api('POST', `/api/v1/orders/${id}/interventions`, { action: 'resume', note: 'new login' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.order.intervention).toBeNull();

    await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, {});
    expect((await eventually(() => order(id), (o) => o.status === 'FILLED')).filledQuantity).toBe(30);
    expect((await stack.api('GET', '/api/v1/interventions')).body.interventions).toEqual([]);
    const again = await stack.api('POST', `/api/v1/orders/${id}/interventions`, { action: 'resume' });
    expect(again.status).toBe(409);
  });

  it('when the session has expired, then new orders get 503 BROKER_SESSION_EXPIRED, a DELETE is queued and answered at once, and a fresh token lets both go on', async () => {
    const working = await stack.api('POST', '/api/v1/orders', { clientOrderId: cid('tok'), strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML' });
    expect(working.status).toBe(202);
    const id = working.body.order.orderId;
    const open = await eventually(() => order(id), (o) => o.status === 'OPEN');
    await stack.control('POST', '/control/session', { accessToken: 'fresh-token-2' });
    await eventually(() => order(id), (o) => o.intervention?.reason === 'TOKEN_EXPIRED'); // the OMS has met the expiry

    const refusedId = cid('tok');
    const refused = await stack.api('POST', '/api/v1/orders', { clientOrderId: refusedId, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'NRML' });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('BROKER_SESSION_EXPIRED');
    expect((await stack.api('GET', `/api/v1/orders/order-${refusedId}`)).status).toBe(404); // nothing was started

    const cancel = await stack.api('DELETE', `/api/v1/orders/${id}`);
    expect(cancel.status).toBe(202);
    expect(cancel.body).toMatchObject({ cancel: { status: 'QUEUED' }, order: { orderId: id, intervention: { reason: 'TOKEN_EXPIRED' } } });

    expect((await stack.api('POST', '/api/v1/broker/session', { accessToken: 'fresh-token-2' })).status).toBe(200);
    expect((await stack.api('POST', `/api/v1/orders/${id}/interventions`, { action: 'resume', note: 'new login' })).status).toBe(200);
    const cancelled = await eventually(() => order(id), (o) => o.status === 'CANCELLED');
    expect(cancelled.intervention).toBeNull();
    expect(await stack.control('GET', `/control/orders?tag=${open.tag}`)).toMatchObject({ orders: [expect.objectContaining({ status: 'CANCELLED' })] });
    // the audit row of the cancel names the API key that asked
    const rows = await stack.sql<{ actor: string; source: string }>("SELECT actor, source FROM order_events WHERE order_id = $1 AND type = 'CANCEL_REQUESTED'", [id]);
    expect(rows).toEqual([{ actor: expect.stringMatching(/^api-key:.+ \(operator\)$/), source: 'api' }]);
    const again = await stack.api('DELETE', `/api/v1/orders/${id}`); // a DELETE sent again answers the cancelled order
    expect(again.status).toBe(200);
    expect(again.body.order).toMatchObject({ orderId: id, status: 'CANCELLED' });

    const afterLogin = await stack.api('POST', '/api/v1/orders', { clientOrderId: refusedId, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML' });
    expect(afterLogin.status).toBe(202);
  });
});
