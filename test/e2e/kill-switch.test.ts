import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { TEST_KEYS } from '../support/access-config';
import { accountSupervisorWorkflowId } from '../../src/workflows/account-supervisor-messages';
import { killSwitchWorkflowId } from '../../src/workflows/kill-switch-messages';
import { liveSupervision } from './supervision';
import { eventually, startStack, type Stack } from './stack';

/**
 * The kill switch end to end on the paper broker: a position loses as the paper price falls, the account supervisor's
 * daily loss check (every second here) halts the account, open orders are cancelled at the broker, new risk is refused while exits pass, and
 * an operator (API or Temporal signal) engages and releases it.
 */
let stack: Stack;
let symbol: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (body: Record<string, unknown>) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid('ks'), strategyId: 'ks', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'NRML', ...body,
});
const setPrice = (last_price: number) => stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: symbol, last_price });
const quoteTtl = () => new Promise((r) => setTimeout(r, 1100));
const killSwitch = () => stack.api('GET', '/api/v1/kill-switch').then((r) => r.body.killSwitch);
const brokerStatus = async (tag: string) => (await stack.control('GET', `/control/orders?tag=${tag}`)).orders[0]?.status;

beforeAll(async () => {
  stack = await startStack({
    ACCOUNT_SUPERVISOR: 'on',
    RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({ daily: { maxLossRupees: '100' } }, { killSwitch: { checkIntervalMs: 1_000, flattenPositions: false, resetAtNextTradingDay: true } })),
  });
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0, slippageTicks: 0 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  symbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  await setPrice(1000);
}, 120_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await stack?.close();
});

describe('the kill switch', () => {
  it('when the worker starts, then the account supervisor runs the daily loss check at the configured interval', async () => {
    const handle = stack.client.workflow.getHandle(accountSupervisorWorkflowId(stack.taskQueue, 'default'));
    const live = await eventually(() => liveSupervision(handle), (r) => (r?.lossChecks ?? 0) >= 2);
    expect(live).toMatchObject({ account: 'default', lossEveryMs: 1_000, lastLossCheck: { breached: false, engaged: false, limit: '100.00' } });
  });

  it('when losses pass the daily limit, then the supervisor check halts the account, cancels open orders at the broker, refuses new risk but accepts an exit, and an operator release reopens trading', async () => {
    const buy = await place({});
    expect(buy.status).toBe(202);
    await eventually(() => order(buy.body.order.orderId), (o) => o.status === 'FILLED');
    const resting = await place({ orderType: 'LIMIT', price: '900.00' });
    expect(resting.status).toBe(202);
    const open = await eventually(() => order(resting.body.order.orderId), (o) => o.status === 'OPEN');
    expect(open.status).toBe('OPEN');

    await setPrice(990); // 30 x (990 - 1000) = a loss of Rs 300 before charges; the limit is Rs 100
    await quoteTtl(); // the supervisor's next check sees the new price
    const halted = await eventually(killSwitch, (k) => k.status === 'HALTED' && k.events.some((e: { type: string }) => e.type === 'ORDERS_CANCELLED'), 60_000);
    expect(halted).toMatchObject({ status: 'HALTED', source: 'daily-loss-check', by: 'daily-loss-check' });
    expect(halted.reason).toMatch(/has reached the daily loss limit 100\.00/);
    expect(halted.resetAt).toMatch(/T18:30:00\.000Z$/); // 00:00 IST of the next trading day
    expect(halted.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['ENGAGED', 'ORDERS_CANCELLED']));
    // The alert: an event in the operators' stream (and to every alert channel), naming the reason.
    const raised = await stack.sql<{ payload: { severity: string; message: string } }>("SELECT payload FROM events WHERE type = 'ALERT' AND payload->>'kind' = 'KILL_SWITCH_ENGAGED'");
    expect(raised).toHaveLength(1);
    expect(raised[0].payload).toMatchObject({ severity: 'critical', message: expect.stringContaining('daily loss limit') });
    const rows = await stack.sql('SELECT status, source FROM kill_switches WHERE account = $1', ['default']);
    expect(rows).toEqual([{ status: 'HALTED', source: 'daily-loss-check' }]);

    const cancelled = await eventually(() => order(resting.body.order.orderId), (o) => o.status === 'CANCELLED');
    expect(cancelled.status).toBe('CANCELLED');
    expect(await brokerStatus(cancelled.tag)).toBe('CANCELLED');

    const refused = await place({});
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'KILL_SWITCH', details: { check: 'kill_switch', reasonCode: 'KILL_SWITCH' } });

    const exit = await place({ side: 'SELL', orderType: 'LIMIT', price: '1100.00' });
    expect(exit.status).toBe(202);
    expect(exit.body.order.validation).toMatchObject({ reduceOnly: true });
    expect(exit.body.order.validation.checks.find((c: { check: string }) => c.check === 'kill_switch')).toMatchObject({ status: 'passed' });
    await eventually(() => order(exit.body.order.orderId), (o) => o.status === 'OPEN');
    expect((await stack.api('DELETE', `/api/v1/orders/${exit.body.order.orderId}`)).status).toBe(200);

    const asStrategy = await stack.apiAs(TEST_KEYS.strategyA, 'POST', '/api/v1/kill-switch', { action: 'release', reason: 'me' });
    expect(asStrategy.status).toBe(403);

    await setPrice(1000); // the loss is gone again: only the kill switch stands in the way
    await quoteTtl();
    const released = await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'reviewed the desk' });
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ changed: true, killSwitch: { status: 'ACTIVE', source: 'api', by: expect.any(String) } });
    const again = await place({ orderType: 'LIMIT', price: '900.00' });
    expect(again.status).toBe(202);
    await stack.api('DELETE', `/api/v1/orders/${again.body.order.orderId}`);

    // The supervisor's checks do not undo a deliberate release the same day.
    const supervisor = stack.client.workflow.getHandle(accountSupervisorWorkflowId(stack.taskQueue, 'default'));
    const checksAtRelease = (await liveSupervision(supervisor))?.lossChecks ?? 0;
    await eventually(() => liveSupervision(supervisor), (r) => (r?.lossChecks ?? 0) >= checksAtRelease + 3);
    expect((await killSwitch()).status).toBe('ACTIVE');
  });

  it('when an operator signals the kill switch workflow, then it engages and releases (the CLI path)', async () => {
    const handle = stack.client.workflow.getHandle(killSwitchWorkflowId(stack.taskQueue, 'default'));
    await handle.signal('engageKillSwitchSignal', { reason: 'fat finger upstream', by: 'ops-cli' });
    const halted = await eventually(killSwitch, (k) => k.status === 'HALTED');
    expect(halted).toMatchObject({ status: 'HALTED', source: 'temporal-signal', by: 'ops-cli', reason: 'fat finger upstream' });
    expect(await handle.query('killSwitchStateQuery')).toMatchObject({ status: 'HALTED', engagementId: halted.engagementId });
    expect((await place({ orderType: 'LIMIT', price: '900.00' })).body.error.code).toBe('KILL_SWITCH');

    await handle.signal('releaseKillSwitchSignal', { reason: 'all clear', by: 'ops-cli' });
    const active = await eventually(killSwitch, (k) => k.status === 'ACTIVE');
    expect(active).toMatchObject({ status: 'ACTIVE', source: 'temporal-signal', reason: 'all clear' });
    const ok = await place({ orderType: 'LIMIT', price: '900.00' });
    expect(ok.status).toBe(202);
    await stack.api('DELETE', `/api/v1/orders/${ok.body.order.orderId}`);
  });

  it('when the body is not an engage or release with a reason, then it is 400 VALIDATION_FAILED', async () => {
    const r = await stack.api('POST', '/api/v1/kill-switch', { action: 'halt' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
});
