import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * Two broker accounts in one deployment: strategy s1 trades through `default`, s2 through `family`, each with its own
 * Kite keys (its own simulated account at the paper broker), daily login, limits, kill switch and books.
 */
let stack: Stack;
let symbol: string;
const FAMILY_KEY = 'paper_key_family';
const run = Date.now().toString(36);
let seq = 0;
const cid = (name: string) => `${name}-${run}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const place = (strategyId: string, quantity: number) => stack.api('POST', '/api/v1/orders', {
  clientOrderId: cid(strategyId), strategyId, tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity, orderType: 'MARKET',
});
type PaperOrders = { orders: { tag: string }[] };

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oms-accounts-e2e-'));
  const file = path.join(dir, 'accounts.json');
  // The family account may trade one lot per order; the default account's limits are the permissive ones.
  const familyRisk = writeRiskConfig(riskConfigWith({ size: { maxLots: 1 } }, { account: 'family' }));
  writeFileSync(file, JSON.stringify({
    accounts: [
      { id: 'default', strategies: ['s1', 'e2e'] },
      { id: 'family', strategies: ['s2'], riskConfigFile: familyRisk, paperStartingCash: 250000 },
    ],
  }));
  stack = await startStack({ ACCOUNTS_CONFIG_FILE: file });
  const instruments = await stack.control<{ tradingsymbol: string }[]>('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => {
  // The stack ends the default account's kill switch; this is the family account's.
  if (stack) await stack.client.workflow.getHandle(`kill-switch-${stack.taskQueue}-family`).terminate('test done').catch(() => undefined);
  await stack?.close();
}, 60_000);

/** The browser's way through the daily login of one account: OMS -> the broker's login page -> back with a token. */
async function login(account: string, apiKey: string): Promise<void> {
  const toBroker = await fetch(`${stack.sys.apiUrl}/api/v1/accounts/${account}/login`, { redirect: 'manual' });
  expect(toBroker.status).toBe(302);
  expect(toBroker.headers.get('location')).toBe(`${stack.sys.paperBrokerUrl}/connect/login?api_key=${apiKey}&v=3`);
  const back = await fetch(toBroker.headers.get('location')!, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const redirect = new URL(back.headers.get('location')!);
  expect(redirect.pathname).toBe(`/api/v1/accounts/${account}/session`);
  const done = await fetch(redirect, { headers: { accept: 'application/json' } });
  expect(done.status).toBe(200);
  expect(((await done.json()) as { session: unknown }).session).toMatchObject({ account, state: 'LIVE', live: true });
}

it('when the operator logs in to both accounts, then each has its own live session and both are listed', async () => {
  await login('default', 'paper_key');
  await login('family', FAMILY_KEY);
  const list = await stack.api('GET', '/api/v1/accounts');
  expect(list.status).toBe(200);
  expect(list.body.accounts.map((a: { id: string; default: boolean; strategies: string[]; session: { state: string }; killSwitch: { status: string } }) =>
    [a.id, a.default, a.strategies, a.session.state, a.killSwitch.status])).toEqual([
    ['default', true, ['s1', 'e2e'], 'LIVE', 'ACTIVE'],
    ['family', false, ['s2'], 'LIVE', 'ACTIVE'],
  ]);
  expect((await stack.api('GET', '/api/v1/accounts/nobody/session')).status).toBe(404);
  expect((await stack.api('GET', '/api/v1/pnl?account=nobody')).status).toBe(404);
  expect((await stack.api('POST', '/api/v1/broker/session', { accessToken: 'paper-token-0000', account: 'nobody' })).status).toBe(404);
}, 60_000);

it('when two strategies trade, then each order goes to its own account at the broker, under its own limits, into its own books', async () => {
  const s1 = await place('s1', 60);
  const s2Big = await place('s2', 60);
  const s2 = await place('s2', 30);
  expect(s1.status).toBe(202);
  expect(s2.status).toBe(202);
  expect(s2Big.status).toBe(422); // two lots: over the family account's one-lot limit, which the default account does not have
  expect(JSON.stringify(s2Big.body.error)).toMatch(/lot/i);

  const [o1, o2] = await Promise.all([s1, s2].map((r) => eventually(() => order(r.body.order.orderId), (o) => o.status === 'FILLED')));
  expect([o1.account, o2.account]).toEqual(['default', 'family']);
  const at = async (key?: string) => (await stack.control<PaperOrders>('GET', `/control/orders${key ? `?account=${key}` : ''}`)).orders.map((o) => o.tag);
  const [mainBook, familyBook] = await Promise.all([at(), at(FAMILY_KEY)]);
  expect(mainBook).toContain(o1.tag);
  expect(mainBook).not.toContain(o2.tag);
  expect(familyBook).toEqual([o2.tag]);

  const pnl = await eventually(() => stack.api('GET', '/api/v1/pnl'), (r) => (r.body.byAccount ?? []).length === 2);
  expect(pnl.body.byAccount.map((a: { account: string }) => a.account).sort()).toEqual(['default', 'family']);
  const family = await stack.api('GET', '/api/v1/positions?account=family');
  expect(family.body.strategies.map((s: { strategyId: string }) => s.strategyId)).toEqual(['s2']);
  expect(family.body.accounts.map((a: { account: string; net: { quantity: number }[] }) => [a.account, a.net[0].quantity])).toEqual([['family', 30]]);
  const main = await stack.api('GET', '/api/v1/positions?account=default');
  expect(main.body.accounts.map((a: { account: string; net: { quantity: number }[] }) => [a.account, a.net[0].quantity])).toEqual([['default', 60]]);
}, 90_000);

it('when the family account is halted, then its strategy is refused and the other account goes on trading', async () => {
  const engaged = await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'family stop', account: 'family' });
  expect(engaged.status).toBe(200);
  expect(engaged.body.killSwitch).toMatchObject({ account: 'family', status: 'HALTED' });
  expect((await stack.api('GET', '/api/v1/kill-switch?account=default')).body.killSwitch.status).toBe('ACTIVE');

  const refused = await place('s2', 30);
  expect(refused.status).toBe(422);
  expect(refused.body.error.details?.check ?? JSON.stringify(refused.body.error)).toMatch(/kill_switch/i);
  const trading = await place('s1', 30);
  expect(trading.status).toBe(202);
  expect((await eventually(() => order(trading.body.order.orderId), (o) => o.status === 'FILLED')).account).toBe('default');

  expect((await stack.api('POST', '/api/v1/kill-switch', { action: 'engage', reason: 'x', account: 'nobody' })).status).toBe(404);
  const released = await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'done', account: 'family' });
  expect(released.body.killSwitch.status).toBe('ACTIVE');
}, 90_000);
