import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { eventually, startStack, type Stack } from './stack';

/**
 * What an operator sees of an order in the Temporal UI, read the way the UI reads it: the workflow's static summary
 * (describe), its current details (the __temporal_workflow_metadata query), and the summaries of its activities and
 * timers (user metadata in the history).
 */
let stack: Stack;
let symbol: string;

beforeAll(async () => {
  stack = await startStack({ ORDER_BOOK_POLL_MS: '0' });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(() => stack?.close(), 60_000);

const text = (p: temporal.api.common.v1.IPayload | null | undefined) => (p ? defaultPayloadConverter.fromPayload<string>(p) : undefined);
const details = async (workflowId: string) => {
  const meta = await stack.client.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
};

it('when an order works and fills, then its summary, its current details and its activities and timers read as a blotter', async () => {
  const placed = await stack.api('POST', '/api/v1/orders', {
    clientOrderId: `ui-${Date.now().toString(36)}`, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00',
  });
  expect(placed.status).toBe(202);
  const { orderId, brokerOrderId } = placed.body.order as { orderId: string; brokerOrderId: string };
  const handle = stack.client.workflow.getHandle(orderId);

  expect(await (await handle.describe()).staticSummary()).toBe(`BUY 30 ${symbol} LIMIT 10.00 · s1`);
  const working = await eventually(() => details(orderId), (d) => /^\*\*(SUBMITTED|OPEN)\*\* 0\/30 filled/.test(d));
  expect(working).toContain(`broker order ${brokerOrderId}`);
  expect(working).toContain('waiting for: fills at the broker');

  await stack.control('POST', `/control/orders/${brokerOrderId}/fill`, {});
  const filled = await eventually(() => details(orderId), (d) => d.startsWith('**FILLED**'), 30_000);
  expect(filled).toMatch(/^\*\*FILLED\*\* 30\/30 filled @ \d+\.\d\d/);
  expect(filled).toContain('waiting for: nothing (final)');

  const { EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: ACTIVITY, EVENT_TYPE_TIMER_STARTED: TIMER } = temporal.api.enums.v1.EventType;
  const events = (await handle.fetchHistory()).events ?? [];
  const activities = events.filter((e) => e.eventType === ACTIVITY).map((e) => text(e.userMetadata?.summary));
  const timers = events.filter((e) => e.eventType === TIMER).map((e) => text(e.userMetadata?.summary));
  expect(activities.length).toBeGreaterThan(0);
  expect(activities.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
  expect(activities).toContain('read the order at the broker');
  expect(timers.length).toBeGreaterThan(0);
  expect(timers.every((s) => /^wait .+ for the next read of the broker/.test(s ?? ''))).toBe(true);
}, 90_000);

it('when everything is up, then /ready says so per dependency; when the Kite session expires, then it is 503 naming the account and the way out', async () => {
  const res = await fetch(`${stack.sys.apiUrl}/ready`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; reason?: string }> };
  expect(body).toEqual({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true }, worker: { ok: true }, 'broker:default': { ok: true } } });

  // Kite's 06:00 logout: the token in use stops working, which the next broker call finds out.
  await stack.control('POST', '/control/session', { accessToken: 'a-later-token' });
  await stack.api('POST', '/api/v1/orders', { clientOrderId: `ui-expired-${Date.now().toString(36)}`, strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '10.00' });
  const notReady = await eventually(async () => {
    const r = await fetch(`${stack.sys.apiUrl}/ready`);
    return { status: r.status, body: (await r.json()) as typeof body };
  }, (r) => r.status === 503);
  expect(notReady.body.status).toBe('not_ready');
  expect(notReady.body.checks['broker:default']).toEqual({ ok: false, reason: expect.stringContaining('/api/v1/accounts/default/login') });
  expect(notReady.body.checks.database.ok && notReady.body.checks.worker.ok).toBe(true);
}, 60_000);

it('when orders were placed and filled, then GET /metrics has the broker, gate, limiter, HTTP and order series an operator graphs', async () => {
  const res = await fetch(`${stack.sys.apiUrl}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  const value = (series: RegExp) => Number(new RegExp(`^${series.source} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  // The first test placed and filled one order of s1 (at least).
  expect(value(/oms_orders\{status="FILLED",strategy="s1"\}/)).toBeGreaterThanOrEqual(1);
  expect(value(/oms_fills\{strategy="s1"\}/)).toBeGreaterThanOrEqual(1);
  expect(value(/oms_broker_request_seconds_count\{account="default",call="placeOrder",outcome="ok"\}/)).toBeGreaterThanOrEqual(1);
  expect(value(/oms_risk_gate_seconds_count\{result="passed"\}/)).toBeGreaterThanOrEqual(1);
  expect(value(/oms_rate_limiter_wait_seconds_count\{account="default"\}/)).toBeGreaterThanOrEqual(1);
  expect(value(/oms_http_request_seconds_count\{method="POST",route="\/api\/v1\/orders\/",status="202"\}/)).toBeGreaterThanOrEqual(1);
  expect(text).toMatch(/^oms_process_cpu_seconds_total \d/m);
  // The expired session of the test before: the broker errors are counted by kind.
  expect(value(/oms_broker_errors_total\{account="default",call="\w+",kind="token"\}/)).toBeGreaterThanOrEqual(1);
});
