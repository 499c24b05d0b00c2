import { readFileSync, writeFileSync } from 'node:fs';
import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * Every category of the pre-trade gate, rejected through the real stack: API -> workflow -> risk activity (quotes and
 * margins from the paper broker over kiteconnect, the book from Postgres) -> 422. Each test runs under its own
 * strategy whose override turns one limit on, so the categories do not disturb each other.
 */
let stack: Stack;
let configFile: string;
let seq = 0;
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
let symbols: Record<string, string> = {};

const sql = <T = any>(text: string, params: unknown[] = []) => stack.sql<T>(text, params);

const baseConfig = () => riskConfigWith({ instrument: { freezeQuantities: { BANKNIFTY: 600 } } }, {
  reloadIntervalMs: 200,
  strategies: {
    band: { price: { bandPercent: 10 } },
    liquid: { marketConditions: { minOpenInterest: 1_000_000_000_000 } },
    small: { size: { maxLots: 2 } },
    careful: { riskPerTrade: { requireStopLoss: true } },
    concentrated: { exposure: { maxConcentrationPercent: 0.01 } },
    busy: { daily: { maxTurnoverRupees: '1000' } },
    margin: { margin: { enabled: true, bufferPercent: 0 } },
    stale: { marketData: { maxAgeMs: 1500 } },
  },
});

const place = (strategyId: string, extra: Record<string, unknown> = {}) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid(strategyId), strategyId, tradingsymbol: symbols.atm, exchange: 'NFO', side: 'BUY', quantity: 30,
  orderType: 'MARKET', product: 'NRML', ...extra,
});

async function activeVersion(): Promise<string> {
  return (await stack.api('GET', '/api/v1/risk/config')).body.version;
}

/** Rewrites the configuration file and waits until the API serves the new version. */
async function rewriteConfig(config: unknown): Promise<string> {
  const before = await activeVersion();
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return eventually(activeVersion, (v) => v !== before, 10_000);
}

beforeAll(async () => {
  configFile = writeRiskConfig(baseConfig());
  stack = await startStack({ RISK_CONFIG_FILE: configFile });
  await stack.control('POST', '/control/config', { matching: { tickIntervalMs: 0 } });
  const instruments = (await stack.control('GET', '/control/instruments')) as { tradingsymbol: string; expiry: string }[];
  const lastExpiry = instruments.map((i) => i.expiry).filter(Boolean).sort().at(-1);
  const pick = (suffix: string) => instruments.find((i) => i.expiry === lastExpiry && i.tradingsymbol.endsWith(suffix))!.tradingsymbol;
  symbols = { atm: pick('52000CE'), restricted: pick('52500CE'), watched: pick('51500PE'), stale: pick('53000PE') };
  for (const s of Object.values(symbols)) await stack.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: s, last_price: 1000 });
}, 120_000);
afterAll(async () => { await stack?.close(); });
afterEach(async () => { await stack.control('DELETE', '/control/faults'); });

describe('the risk gate rejects with 422 RISK_REJECTED naming the check, the reason and the numbers', () => {
  it.each([
    { category: 'parameters', strategy: 'params', extra: { orderType: 'SL', price: '1000.00', triggerPrice: '995.00', validity: 'IOC' }, check: 'validity_rules', reasonCode: 'IOC_NOT_FOR_STOP_ORDERS' },
    { category: 'parameters', strategy: 'params', extra: { product: 'CNC' }, check: 'product_rules', reasonCode: 'PRODUCT_NOT_ALLOWED' },
    { category: 'price', strategy: 'band', extra: { orderType: 'LIMIT', price: '1100.05' }, check: 'price_band', reasonCode: 'PRICE_OUTSIDE_BAND' },
    { category: 'market_conditions', strategy: 'liquid', extra: {}, check: 'min_open_interest', reasonCode: 'OPEN_INTEREST_TOO_LOW' },
    { category: 'size', strategy: 'small', extra: { quantity: 90 }, check: 'max_quantity', reasonCode: 'MAX_QUANTITY_EXCEEDED' },
    { category: 'risk_per_trade', strategy: 'careful', extra: {}, check: 'stop_loss_required', reasonCode: 'STOP_LOSS_REQUIRED' },
    { category: 'exposure', strategy: 'concentrated', extra: {}, check: 'concentration', reasonCode: 'CONCENTRATION_EXCEEDED' },
    { category: 'daily_limits', strategy: 'busy', extra: {}, check: 'daily_turnover', reasonCode: 'DAILY_TURNOVER_LIMIT' },
    { category: 'margin', strategy: 'margin', extra: { side: 'SELL', quantity: 600 }, check: 'margin', reasonCode: 'INSUFFICIENT_MARGIN' },
  ])('when $check fails ($category), then the answer is 422 with $reasonCode and nothing reaches the broker', async ({ strategy, extra, check, reasonCode, category }) => {
    const res = await place(strategy, extra);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'RISK_REJECTED', details: { check, category, reasonCode } });
    expect(res.body.error.message).toContain(check);
    expect(res.body.error.details.values).toBeDefined();
    const id = res.body.error.details.order.orderId;
    const [row] = await sql('select status, risk_passed, validation_result from orders where id = $1', [id]);
    expect(row).toMatchObject({ status: 'REJECTED', risk_passed: false });
    expect(row.validation_result.failure).toMatchObject({ check, code: reasonCode });
    expect(await stack.control('GET', `/control/orders?tag=${res.body.error.details.order.tag}`)).toMatchObject({ count: 0 });
  });

  it('when the order is above the freeze quantity and does not ask to be split, then it is 422 FREEZE_QTY with the limit', async () => {
    const res = await place('any', { quantity: 630 });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'FREEZE_QTY', details: { check: 'freeze_quantity', category: 'instrument', limit: 600 } });
  });

  it('when the quote feed fails and the cached quote outlives its maximum age, then it is 422 STALE_MARKET_DATA', async () => {
    const warm = await place('stale', { tradingsymbol: symbols.stale });
    expect(warm.status).toBe(202);
    await stack.control('POST', '/control/faults', { kind: 'http_error', status: 503, count: 1000, routes: 'quotes' });
    await new Promise((r) => setTimeout(r, 1700));
    const res = await place('stale', { tradingsymbol: symbols.stale });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'STALE_MARKET_DATA', details: { check: 'market_data_fresh', values: { maxAgeMs: 1500 } } });
    expect(res.body.error.details.values.ageMs).toBeGreaterThan(1500);
  });

  it('when the paper exchange is closed, then a regular order is 422 MARKET_CLOSED and an AMO passes', async () => {
    await stack.control('POST', '/control/config', { session: { alwaysOpen: false, open: '00:00', close: '00:01' } });
    try {
      await new Promise((r) => setTimeout(r, 1100)); // the gate caches the paper session for a second
      const closed = await place('any');
      expect(closed.status).toBe(422);
      expect(closed.body.error).toMatchObject({ code: 'RISK_REJECTED', details: { check: 'market_hours', reasonCode: 'MARKET_CLOSED' } });
      const amo = await place('any', { variety: 'amo', orderType: 'LIMIT', price: '1000.00' });
      expect(amo.status).toBe(202);
    } finally {
      await stack.control('POST', '/control/config', { session: { alwaysOpen: true } });
      await new Promise((r) => setTimeout(r, 1100));
    }
  });
});

describe('modifications go through the gate too', () => {
  it('when a resting order is modified outside the band or above the size limit, then it is 422 and the broker keeps the old terms; an allowed change goes through', async () => {
    const placed = await place('band', { orderType: 'LIMIT', price: '950.00' });
    expect(placed.status).toBe(202);
    const id = placed.body.order.orderId;
    const tag = placed.body.order.tag;
    const brokerOrder = async () => (await stack.control('GET', `/control/orders?tag=${tag}`)).orders[0];
    await eventually(() => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order), (o) => o.status === 'OPEN');

    const far = await stack.api('PATCH', `/api/v1/orders/${id}`, { price: '800.00' });
    expect(far.status).toBe(422);
    expect(far.body.error).toMatchObject({ code: 'RISK_REJECTED', details: { check: 'price_band', reasonCode: 'PRICE_OUTSIDE_BAND', values: { price: '800.00', ltp: '1000.00' } } });
    expect((await brokerOrder()).price).toBe(950);
    const [audit] = await sql("select payload from order_events where order_id = $1 and type = 'MODIFY_RISK_CHECKED'", [id]);
    expect(audit.payload).toMatchObject({ passed: false, failure: { check: 'price_band' } });

    const near = await stack.api('PATCH', `/api/v1/orders/${id}`, { price: '960.00' });
    expect(near.status).toBe(200);
    expect((await eventually(brokerOrder, (o) => o.price === 960)).price).toBe(960);
    // The modify's full report is on the order (every check, the band among them); the audit and history carry the
    // compact one (the decision and how many passing checks were left out).
    const checks = near.body.order.modificationRisk.checks as { check: string; status: string }[];
    expect(checks.find((c) => c.check === 'price_band')).toMatchObject({ status: 'passed' });
    const [passedAudit] = await sql("select payload from order_events where order_id = $1 and type = 'MODIFY_RISK_CHECKED' order by sequence desc limit 1", [id]);
    expect(passedAudit.payload).toMatchObject({ passed: true });
    expect(passedAudit.payload.omittedChecks).toBeGreaterThan(0);
    expect(passedAudit.payload.checks.length).toBeLessThan(checks.length);

    const bigger = await stack.api('PATCH', `/api/v1/orders/${id}`, { quantity: 630 });
    expect(bigger.status).toBe(422);
    expect(bigger.body.error).toMatchObject({ code: 'FREEZE_QTY', details: { check: 'freeze_quantity' } });
    expect((await brokerOrder()).quantity).toBe(30);
    expect((await stack.api('DELETE', `/api/v1/orders/${id}`)).status).toBe(200);
  });
});

describe('the check report and the configuration', () => {
  it('when an order passes, then the full report is in validation_result and the API, and the history carries only the decision', async () => {
    const res = await place('any');
    expect(res.status).toBe(202);
    const id = res.body.order.orderId;
    const [row] = await sql('select risk_passed, risk_account, reference_price::text as ref, validation_result from orders where id = $1', [id]);
    expect(row).toMatchObject({ risk_passed: true, risk_account: 'default', ref: '1000.00' });
    const names = row.validation_result.checks.map((c: { check: string }) => c.check);
    expect(names).toEqual(expect.arrayContaining(['lot_size', 'market_hours', 'price_band', 'margin', 'daily_loss_limit', 'watch_list']));
    expect(row.validation_result.checks.every((c: { status: string }) => ['passed', 'skipped'].includes(c.status))).toBe(true);
    expect(row.validation_result.configVersion).toBe(await activeVersion());
    expect(row.validation_result.omittedChecks).toBeUndefined();
    // The POST's answer and a GET show the full report, though the workflow carries the compact one.
    expect(res.body.order.validation.checks).toEqual(row.validation_result.checks);
    expect((await stack.api('GET', `/api/v1/orders/${id}`)).body.order.validation.checks).toEqual(row.validation_result.checks);
    // The audit event and the history: the decision, no passing check (the gate's result is a local activity marker).
    const [event] = await sql("select payload from order_events where order_id = $1 and type = 'VALIDATED'", [id]);
    // Kept: failed or flagged checks, and freeze_quantity (the workflow reads its limit to split an order).
    const carried = (r: { checks: { check: string; passed: boolean }[]; omittedChecks: number }) => {
      expect(r.checks.filter((c) => c.passed && c.check !== 'freeze_quantity')).toEqual([]);
      expect(r.checks.length + r.omittedChecks).toBe(row.validation_result.checks.length);
    };
    expect(event.payload).toMatchObject({ passed: true, configVersion: row.validation_result.configVersion });
    carried(event.payload);
    const history = await stack.client.workflow.getHandle(id).fetchHistory();
    const results = (history.events ?? []).flatMap((e) => e.markerRecordedEventAttributes?.details?.result?.payloads ?? [])
      .map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')).filter((text) => text.length > 0).map((text) => JSON.parse(text));
    // The admission marker (admitOrder) holds the instrument and the report.
    const marker = results.map((r) => r?.report).find((r) => r && Array.isArray(r.checks));
    expect(marker).toMatchObject({ passed: true, configVersion: row.validation_result.configVersion });
    carried(marker);
  });

  it('when an order is refused, then validation_result holds every check and the history only the failed one', async () => {
    const res = await place('small', { quantity: 90 });
    expect(res.status).toBe(422);
    const id = res.body.error.details.order.orderId;
    const [row] = await sql('select status, risk_passed, validation_result from orders where id = $1', [id]);
    expect(row).toMatchObject({ status: 'REJECTED', risk_passed: false });
    expect(row.validation_result.checks.length).toBeGreaterThan(10);
    const failed = row.validation_result.checks.filter((c: { passed: boolean }) => !c.passed);
    expect(failed.length).toBeGreaterThan(0);
    const [event] = await sql("select payload from order_events where order_id = $1 and type = 'VALIDATED'", [id]);
    expect(event.payload.checks.filter((c: { check: string }) => c.check !== 'freeze_quantity')).toEqual(failed);
    expect(event.payload.checks.length + event.payload.omittedChecks).toBe(row.validation_result.checks.length);
  });

  it('when the file changes, then the new limits apply to new orders and a restricted symbol is refused while a watched one is flagged', async () => {
    const before = await place('small', { quantity: 90 });
    expect(before.status).toBe(422);
    const next = baseConfig();
    next.strategies.small = { size: { maxLots: 5 } };
    next.defaults.lists = { restricted: [symbols.restricted], watch: [symbols.watched] };
    await rewriteConfig(next);
    expect((await place('small', { quantity: 90 })).status).toBe(202);
    const restricted = await place('any', { tradingsymbol: symbols.restricted });
    expect(restricted.status).toBe(422);
    expect(restricted.body.error.details).toMatchObject({ check: 'restricted_list', reasonCode: 'RESTRICTED_SYMBOL' });
    const watched = await place('any', { tradingsymbol: symbols.watched });
    expect(watched.status).toBe(202);
    expect(watched.body.order.validation.flags).toEqual(['watch_list']);
    writeFileSync(configFile, JSON.stringify(baseConfig(), null, 2));
  });

  it('when the file is changed to something invalid, then the change is refused, the old version stays active and the API says why', async () => {
    const good = await rewriteConfig({ ...baseConfig(), strategies: {} });
    writeFileSync(configFile, JSON.stringify({ ...baseConfig(), defaults: { ...baseConfig().defaults, surprise: true } }));
    const view = await eventually(() => stack.api('GET', '/api/v1/risk/config').then((r) => r.body), (b) => b.lastReloadError !== null, 10_000);
    expect(view.version).toBe(good);
    expect(view.lastReloadError).toMatch(/surprise/);
    expect(view.config.defaults.surprise).toBeUndefined();
    expect(JSON.parse(readFileSync(configFile, 'utf8')).defaults.surprise).toBe(true);
    await rewriteConfig(baseConfig());
  });

  it('GET /api/v1/risk/config answers the active file as written, with its version', async () => {
    const res = await stack.api('GET', '/api/v1/risk/config');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: expect.stringMatching(/^[0-9a-f]{12}$/), file: configFile, config: { account: 'default', defaults: { capitalRupees: '10000000' } } });
  });
});
