import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * The kill switch with `killSwitch.flattenPositions` on, end to end on the paper broker: a long and a short bought
 * and sold through the OMS lose past the daily limit, the daily loss check halts the account, and each position is
 * closed by one reduce-only MARKET order through the normal order path, until the broker shows the account flat.
 */
let stack: Stack;
let longSymbol: string;
let shortSymbol: string;
let seq = 0;
const STRATEGY = 'ksflat';
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (body: Record<string, unknown>) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid('ksf'), strategyId: STRATEGY, exchange: 'NFO', quantity: 30, orderType: 'MARKET', product: 'NRML', ...body,
});
const setPrice = (tradingsymbol: string, last_price: number) => stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol, last_price });
const quoteTtl = () => new Promise((r) => setTimeout(r, 1100));
const killSwitch = () => stack.api('GET', '/api/v1/kill-switch').then((r) => r.body.killSwitch);
const orderCount = async () => (await stack.sql<{ n: number }>('SELECT COUNT(*)::int AS n FROM orders'))[0].n;

async function brokerNet(): Promise<Map<string, number>> {
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { authorization: 'token paper_key:paper_token', 'x-kite-version': '3' } });
  const body = (await res.json()) as { data: { net: { tradingsymbol: string; quantity: number }[] } };
  return new Map(body.data.net.map((p) => [p.tradingsymbol, p.quantity]));
}

beforeAll(async () => {
  stack = await startStack({
    RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({ daily: { maxLossRupees: '100' } }, {
      // A long interval: only the test's own trigger runs the check.
      killSwitch: { checkIntervalMs: 3_600_000, flattenPositions: true, resetAtNextTradingDay: true },
    })),
  });
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0, slippageTicks: 0 } });
  const instruments: { tradingsymbol: string; expiry: string }[] = await stack.control('GET', '/control/instruments');
  const last = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  longSymbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000CE'))!.tradingsymbol;
  shortSymbol = instruments.find((i) => i.expiry === last && i.tradingsymbol.endsWith('52000PE'))!.tradingsymbol;
  await setPrice(longSymbol, 1000);
  await setPrice(shortSymbol, 500);
  jest.spyOn(console, 'error').mockImplementation(() => undefined); // the KILL_SWITCH_ENGAGED alarm
}, 120_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await stack?.close();
});

describe('the kill switch flattening positions', () => {
  it('when a long and a short lose past the daily limit with flattenPositions on, then each is closed by exactly one reduce-only MARKET order through the order workflow, the broker ends flat, and engaging again places nothing', async () => {
    const buy = await place({ tradingsymbol: longSymbol, side: 'BUY' });
    const sell = await place({ tradingsymbol: shortSymbol, side: 'SELL' });
    expect([buy.status, sell.status]).toEqual([202, 202]);
    for (const o of [buy, sell]) await eventually(() => order(o.body.order.orderId), (x) => x.status === 'FILLED');
    expect(await brokerNet()).toEqual(new Map([[longSymbol, 30], [shortSymbol, -30]]));

    // Long 30 at 1000 now 990 (-300), short 30 at 500 now 505 (-150): past the Rs 100 limit.
    await setPrice(longSymbol, 990);
    await setPrice(shortSymbol, 505);
    await quoteTtl();
    const before = await orderCount();
    // The on-demand check (what the supervisor runs on its cadence; off in test stacks).
    await stack.client.workflow.execute('dailyLossCheckWorkflow', { taskQueue: stack.taskQueue, workflowId: `daily-loss-check-${Date.now()}`, args: [{ account: 'default' }] });
    const halted = await eventually(killSwitch, (k) => k.status === 'HALTED' && k.events.some((e: { type: string }) => e.type === 'POSITIONS_FLATTENED'), 60_000);
    expect(halted).toMatchObject({ status: 'HALTED', source: 'daily-loss-check' });
    const flattenedEvent = halted.events.find((e: { type: string }) => e.type === 'POSITIONS_FLATTENED');
    expect(flattenedEvent.payload.results).toHaveLength(2);
    expect(flattenedEvent.payload.results.every((r: { error?: unknown }) => r.error === undefined)).toBe(true);

    const flattenRows = await stack.sql<{ id: string; tradingsymbol: string }>(
      `SELECT id, tradingsymbol FROM orders WHERE metadata->>'killSwitch' = $1 ORDER BY tradingsymbol`, [halted.engagementId]);
    expect(flattenRows.map((r) => r.tradingsymbol).sort()).toEqual([longSymbol, shortSymbol].sort());
    expect(await orderCount()).toBe(before + 2);
    for (const { id, tradingsymbol } of flattenRows) {
      // From Postgres: the row, its events and its trades are written in one transaction (the workflow's state may be ahead).
      const o = await eventually(() => order(id), (x) => x.status === 'FILLED' && x.source === 'database');
      expect(o).toMatchObject({
        status: 'FILLED', strategyId: STRATEGY, orderType: 'MARKET', quantity: 30, filledQuantity: 30,
        side: tradingsymbol === longSymbol ? 'SELL' : 'BUY',
      });
      expect(o.validation).toMatchObject({ passed: true, reduceOnly: true });
      const events = await stack.sql<{ type: string; to_status: string | null }>('SELECT type, to_status FROM order_events WHERE order_id = $1 ORDER BY sequence', [id]);
      expect(events[0].type).toBe('VALIDATED');
      expect(events.filter((e) => e.type === 'FILL')).toHaveLength(1);
      expect(events.map((e) => e.to_status).filter(Boolean).at(-1)).toBe('FILLED');
    }

    const flat = await eventually(brokerNet, (m) => m.get(longSymbol) === 0 && m.get(shortSymbol) === 0);
    expect(flat).toEqual(new Map([[longSymbol, 0], [shortSymbol, 0]]));

    // Engaging a halted switch changes nothing; a fresh engagement after a release finds nothing left to close.
    const repeat = await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'again' });
    expect(repeat.body).toMatchObject({ changed: false, killSwitch: { engagementId: halted.engagementId } });
    expect((await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'reviewed' })).body.changed).toBe(true);
    const fresh = await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'once more' });
    expect(fresh.body).toMatchObject({ changed: true, flattened: { enabled: true, results: [] } });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await orderCount()).toBe(before + 2);
    expect(await brokerNet()).toEqual(new Map([[longSymbol, 0], [shortSymbol, 0]]));
  });
});
