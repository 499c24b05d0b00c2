import { writeFileSync } from 'node:fs';
import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * The gate's serialisation point under load: orders fired at the same instant that each fit a limit but together
 * exceed it. The account's advisory lock in Postgres makes exactly as many pass as the limit allows, and the ones that
 * pass reserve their exposure while they wait at the broker (manual matching keeps them open).
 */
let stack: Stack;
let configFile: string;
let instruments: { tradingsymbol: string; expiry: string }[];
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;

const sql = <T = any>(text: string, params: unknown[] = []) => stack.sql<T>(text, params);
const config = (maxOrders: number | null) => riskConfigWith({}, {
  reloadIntervalMs: 200,
  strategies: { conc: { exposure: { maxLotsPerSymbol: 3 } }, count: { daily: { maxOrders } } },
});
const symbol = (suffix: string) => instruments.find((i) => i.expiry === instruments.map((x) => x.expiry).filter(Boolean).sort().at(-1) && i.tradingsymbol.endsWith(suffix))!.tradingsymbol;
const place = (strategyId: string, tradingsymbol: string) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid(strategyId), strategyId, tradingsymbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'MARKET', product: 'NRML',
});

beforeAll(async () => {
  configFile = writeRiskConfig(config(null));
  stack = await startStack({ RISK_CONFIG_FILE: configFile, PAPER_RATE_LIMIT: 'off' });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual', tickIntervalMs: 0 } });
  instruments = await stack.control('GET', '/control/instruments');
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('concurrent orders cannot jointly break a limit', () => {
  it('when 12 one-lot orders hit a 3-lot position limit at once, then exactly 3 pass and the broker holds exactly 3', async () => {
    const s = symbol('52000CE');
    const answers = await Promise.all(Array.from({ length: 12 }, () => place('conc', s)));
    const passed = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 422);
    expect(passed).toHaveLength(3);
    expect(refused).toHaveLength(9);
    for (const r of refused) expect(r.body.error.details).toMatchObject({ check: 'max_position_per_symbol', reasonCode: 'MAX_POSITION_EXCEEDED' });
    const [{ n }] = await sql("select count(*)::int as n from orders where tradingsymbol = $1 and risk_passed and status <> 'REJECTED'", [s]);
    expect(n).toBe(3);
    const broker = await eventually(() => stack.control('GET', '/control/orders'), (d) => d.orders.filter((o: any) => o.tradingsymbol === s).length >= 3);
    expect(broker.orders.filter((o: any) => o.tradingsymbol === s)).toHaveLength(3);
  });

  it('when 10 orders hit a daily order count with room for 4 at once, then exactly 4 pass', async () => {
    const [{ n: sofar }] = await sql("select count(*)::int as n from orders where risk_passed");
    const before = (await stack.api('GET', '/api/v1/risk/config')).body.version;
    writeFileSync(configFile, JSON.stringify(config(sofar + 4)));
    await eventually(() => stack.api('GET', '/api/v1/risk/config').then((r) => r.body.version), (v) => v !== before, 10_000);
    const strikes = ['51000CE', '51100CE', '51200CE', '51300CE', '51400CE', '51500CE', '51600CE', '51700CE', '51800CE', '51900CE'];
    const answers = await Promise.all(strikes.map((k) => place('count', symbol(k))));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(4);
    const refused = answers.filter((a) => a.status === 422);
    expect(refused).toHaveLength(6);
    for (const r of refused) expect(r.body.error.details).toMatchObject({ check: 'daily_order_count', reasonCode: 'DAILY_ORDER_LIMIT', limit: sofar + 4 });
  });

  it('when a reserved order ends, then its reservation is released and a new order fits again', async () => {
    const s = symbol('52000CE');
    const blocked = await place('conc', s);
    expect(blocked.status).toBe(422);
    const [open] = await sql("select id from orders where tradingsymbol = $1 and risk_passed and status <> 'REJECTED' limit 1", [s]);
    expect((await stack.api('DELETE', `/api/v1/orders/${open.id}`)).status).toBe(200);
    expect((await place('conc', s)).status).toBe(202);
  });
});
