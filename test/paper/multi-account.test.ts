import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KiteConnect, type Connect } from 'kiteconnect';
import WebSocket from 'ws';
import { parsePaperAccounts } from '../../src/paper/account-options';
import { paperOptionsFromEnv, parsePaperEnv } from '../../src/paper/main';
import { createPaperBroker } from '../../src/paper/paper-broker';
import { paperStateFile, readSnapshot } from '../../src/paper/persistence';
import { ACCESS_TOKEN, API_KEY, API_SECRET, rejectionOf, startHarness, waitFor, type Harness } from './paper-harness';

/** Two Kite accounts on one paper broker, each driven by its own official client over HTTP. */
const KEY_B = 'key_b';
const SECRET_B = 'secret_b';
const TOKEN_B = 'token_b';
const REDIRECT_A = 'http://127.0.0.1:1/api/v1/accounts/a/session';
const REDIRECT_B = 'http://127.0.0.1:1/api/v1/accounts/b/session';
const quiet = () => undefined;

const accountB = (postbackUrl?: string) => ({
  apiKey: KEY_B, apiSecret: SECRET_B, accessToken: TOKEN_B, startingCash: 500_000, loginRedirectUrl: REDIRECT_B,
  ...(postbackUrl ? { postbackUrl } : {}),
});
const clientB = (h: Harness, accessToken = TOKEN_B): Connect =>
  new KiteConnect({ api_key: KEY_B, access_token: accessToken, root: h.root, timeout: 2000 } as any);
/** The same order as Harness.place, through account B's client. */
const placeB = (h: Harness, kite: Connect, params: Record<string, unknown> = {}): Promise<{ order_id: string }> =>
  (kite.placeOrder as any)('regular', {
    exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, transaction_type: 'BUY', quantity: 30, product: 'NRML',
    order_type: 'LIMIT', price: 100, ...params,
  });
/** A control path addressed to account B. */
const forB = (p: string): string => `${p}${p.includes('?') ? '&' : '?'}account=${KEY_B}`;
const equity = (kite: Connect): Promise<any> => kite.getMargins('equity');

describe('paper broker with two accounts', () => {
  let h: Harness;
  let kiteB: Connect;
  let receiver: http.Server;
  const postbacks: { path: string; body: Record<string, any> }[] = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        postbacks.push({ path: req.url ?? '', body: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    h = await startHarness({ postbackUrl: `${url}/a`, loginRedirectUrl: REDIRECT_A, accounts: [accountB(`${url}/b`)] });
    kiteB = clientB(h);
  });
  afterAll(async () => {
    await h.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(() => {
    h.broker.reset();
    postbacks.length = 0;
  });

  it('when each account places and one is filled, then each sees only its own orders, trades, positions and funds', async () => {
    expect(h.broker.accountKeys()).toEqual([API_KEY, KEY_B]);
    expect(await equity(h.kite)).toMatchObject({ net: 1_000_000, available: { opening_balance: 1_000_000 } });
    expect(await equity(kiteB)).toMatchObject({ net: 500_000, available: { opening_balance: 500_000 } });

    const a = await h.place({ tag: 'a-1' });
    const b = await placeB(h, kiteB, { tag: 'b-1', quantity: 60 });
    await h.control('POST', `/control/orders/${a.order_id}/fill`, {});

    expect((await h.kite.getOrders()).map((o) => [o.order_id, o.status, o.placed_by])).toEqual([[a.order_id, 'COMPLETE', 'PAPER1']]);
    expect((await kiteB.getOrders()).map((o) => [o.order_id, o.status, o.placed_by])).toEqual([[b.order_id, 'OPEN', 'PAPER2']]);
    expect(await h.kite.getTrades()).toHaveLength(1);
    expect(await kiteB.getTrades()).toEqual([]);
    expect((await h.kite.getPositions()).net).toEqual([expect.objectContaining({ quantity: 30 })]);
    expect((await kiteB.getPositions()).net).toEqual([]);
    expect((await rejectionOf(kiteB.getOrderHistory(a.order_id))).error_type).toBe('GeneralException');
    expect((await h.kite.getProfile()).user_id).toBe('PAPER1');
    expect((await kiteB.getProfile()).user_id).toBe('PAPER2');

    // B's fill, through the control API addressed to B, leaves A as it was.
    const marginsA = await equity(h.kite);
    await expect(h.control('POST', `/control/orders/${b.order_id}/fill`, {})).rejects.toThrow(/404/);
    await h.control('POST', forB(`/control/orders/${b.order_id}/fill`), { quantity: 30 });
    expect((await kiteB.getPositions()).net).toEqual([expect.objectContaining({ quantity: 30 })]);
    expect(await kiteB.getTrades()).toHaveLength(1);
    expect(await h.kite.getTrades()).toHaveLength(1);
    expect(await equity(h.kite)).toEqual(marginsA);
    expect((await equity(kiteB)).utilised.option_premium).toBeGreaterThan(0);
  });

  it('when a token is presented with the other account\'s api_key, then it is refused with 403 TokenException', async () => {
    const aTokenForB = new KiteConnect({ api_key: KEY_B, access_token: ACCESS_TOKEN, root: h.root } as any);
    const bTokenForA = new KiteConnect({ api_key: API_KEY, access_token: TOKEN_B, root: h.root } as any);
    expect(await rejectionOf(aTokenForB.getOrders())).toMatchObject({ error_type: 'TokenException' });
    expect(await rejectionOf(bTokenForA.getOrders())).toMatchObject({ error_type: 'TokenException' });
    const raw = await fetch(`${h.root}/orders`, { headers: { Authorization: `token ${KEY_B}:${ACCESS_TOKEN}` } });
    expect(raw.status).toBe(403);
  });

  it('when a price is set, then both accounts see the same market, and a resting order of an auto-matching account fills', async () => {
    const key = `NFO:${h.option.tradingsymbol}`;
    await h.control('POST', '/control/price', { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, last_price: 120 });
    expect((await h.kite.getLTP([key]))[key]!.last_price).toBe(120);
    expect((await kiteB.getLTP([key]))[key]!.last_price).toBe(120);
    expect(await kiteB.getQuote([key])).toEqual(await h.kite.getQuote([key]));

    await h.control('POST', forB('/control/config'), { matching: { mode: 'auto' } });
    expect((await h.control('GET', '/control/config')).matching.mode).toBe('manual');
    const restingA = await h.place({ price: 100 });
    const restingB = await placeB(h, kiteB, { price: 100 });
    await h.control('POST', forB('/control/price'), { exchange: 'NFO', tradingsymbol: h.option.tradingsymbol, last_price: 99 });

    expect((await h.kite.getLTP([key]))[key]!.last_price).toBe(99);
    await waitFor(async () => (await kiteB.getOrderHistory(restingB.order_id)).pop()?.status === 'COMPLETE');
    expect((await h.kite.getOrderHistory(restingA.order_id)).pop()?.status).toBe('OPEN');
  });

  it('when account B logs in, then it is redirected to B\'s URL and the new token works for B only', async () => {
    const page = await fetch(`${h.root}/connect/login?api_key=${KEY_B}&v=3`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const to = new URL(page.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT_B);
    const requestToken = to.searchParams.get('request_token')!;

    // A request token issued to B's app is no good for A's.
    expect(await rejectionOf(h.kite.generateSession(requestToken, API_SECRET))).toMatchObject({ error_type: 'TokenException' });
    const login = new KiteConnect({ api_key: KEY_B, root: h.root, timeout: 2000 } as any);
    const session = await login.generateSession(requestToken, SECRET_B);
    try {
      expect(session).toMatchObject({ user_id: 'PAPER2', api_key: KEY_B });
      await expect(clientB(h, session.access_token).getOrders()).resolves.toEqual([]);
      expect(await rejectionOf(kiteB.getOrders())).toMatchObject({ error_type: 'TokenException' });
      const forA = new KiteConnect({ api_key: API_KEY, access_token: session.access_token, root: h.root } as any);
      expect(await rejectionOf(forA.getOrders())).toMatchObject({ error_type: 'TokenException' });
      await expect(h.kite.getOrders()).resolves.toEqual([]);
    } finally {
      await h.control('POST', forB('/control/session'), { accessToken: TOKEN_B });
    }
    await expect(kiteB.getOrders()).resolves.toEqual([]);
  });

  it('when both accounts listen on the WebSocket, then each receives only its own order updates', async () => {
    const wsRoot = h.root.replace(/^http/, 'ws');
    const open = (apiKey: string, token: string) => {
      const frames: Record<string, any>[] = [];
      const ws = new WebSocket(`${wsRoot}/?api_key=${apiKey}&access_token=${token}`);
      ws.on('message', (data: WebSocket.Data) => {
        if (typeof data === 'string') frames.push(JSON.parse(data)); // ws 6: text frames are strings, heartbeats Buffers
      });
      return { ws, frames, opened: new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)) };
    };
    const a = open(API_KEY, ACCESS_TOKEN);
    const b = open(KEY_B, TOKEN_B);
    try {
      await Promise.all([a.opened, b.opened]);
      const mixed = open(KEY_B, ACCESS_TOKEN);
      await expect(mixed.opened).rejects.toThrow(/403/);

      const orderA = await h.place({ tag: 'ws-a' });
      await h.control('POST', `/control/orders/${orderA.order_id}/fill`, {});
      const orderB = await placeB(h, kiteB, { tag: 'ws-b' });
      await h.control('POST', forB(`/control/orders/${orderB.order_id}/fill`), {});

      await waitFor(() => a.frames.some((f) => f.data.status === 'COMPLETE') && b.frames.some((f) => f.data.status === 'COMPLETE'));
      expect(a.frames.map((f) => [f.type, f.data.order_id, f.data.user_id])).toEqual([['order', orderA.order_id, 'PAPER1']]);
      expect(b.frames.map((f) => [f.type, f.data.order_id, f.data.user_id])).toEqual([['order', orderB.order_id, 'PAPER2']]);
      expect(await h.control('GET', '/control/stats')).toMatchObject({ websocketConnections: 1, websocketOrderUpdatesSent: 1 });
      expect(await h.control('GET', forB('/control/stats'))).toMatchObject({ websocketConnections: 1, websocketOrderUpdatesSent: 1 });
    } finally {
      a.ws.terminate();
      b.ws.terminate();
    }
  });

  it('when orders of both accounts fill, then each postback goes to its account\'s URL signed with its own secret', async () => {
    const a = await h.place({});
    await h.control('POST', `/control/orders/${a.order_id}/fill`, {});
    const b = await placeB(h, kiteB, {});
    await h.control('POST', forB(`/control/orders/${b.order_id}/fill`), {});
    await h.broker.drainPostbacks();

    expect(postbacks.map((p) => [p.path, p.body.order_id, p.body.status, p.body.user_id])).toEqual(
      expect.arrayContaining([['/a', a.order_id, 'COMPLETE', 'PAPER1'], ['/b', b.order_id, 'COMPLETE', 'PAPER2']]),
    );
    expect(postbacks).toHaveLength(2);
    const toA = postbacks.find((p) => p.path === '/a')!.body;
    const toB = postbacks.find((p) => p.path === '/b')!.body;
    expect(h.kite.validatePostback(toA as any, API_SECRET)).toBe(true);
    expect(kiteB.validatePostback(toB as any, SECRET_B)).toBe(true);
    expect(kiteB.validatePostback(toB as any, API_SECRET)).toBe(false);
    expect(await h.control('GET', forB('/control/stats'))).toMatchObject({ postbacksSent: 1, ordersPlaced: 1 });
  });

  it('when both accounts send a burst, then each has its own 10 orders a second', async () => {
    const results = await Promise.allSettled([
      ...Array.from({ length: 11 }, () => h.place({})),
      ...Array.from({ length: 10 }, () => placeB(h, kiteB)),
    ]);
    expect(results.slice(0, 11).filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(results.slice(11).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(await h.control('GET', '/control/stats')).toMatchObject({ ordersPlaced: 10, rateLimited: 1, placeRequestsReceived: 11 });
    expect(await h.control('GET', forB('/control/stats'))).toMatchObject({ ordersPlaced: 10, rateLimited: 0, placeRequestsReceived: 10 });
  });

  it('when a fault is injected for B, then only B meets it and only B counts it', async () => {
    await h.control('POST', forB('/control/faults'), { kind: 'http_error', status: 503, routes: 'orders' });
    expect((await h.control('GET', '/control/faults')).faults).toEqual([]);
    expect((await h.control('GET', forB('/control/faults'))).faults).toHaveLength(1);

    await expect(h.place({})).resolves.toMatchObject({ order_id: expect.any(String) });
    expect(await rejectionOf(placeB(h, kiteB))).toMatchObject({ error_type: 'NetworkException' });
    await expect(placeB(h, kiteB)).resolves.toMatchObject({ order_id: expect.any(String) });
    expect(await h.control('GET', '/control/stats')).toMatchObject({ faultsInjected: 0, ordersPlaced: 1 });
    expect(await h.control('GET', forB('/control/stats'))).toMatchObject({ faultsInjected: 1, ordersPlaced: 1 });
  });

  it('when an unknown account is named, then the control API answers 404 with a clear error', async () => {
    const res = await fetch(`${h.root}/control/stats?account=nobody`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ status: 'error', error_type: 'GeneralException', message: expect.stringContaining('nobody') });
    await expect(h.control('GET', `/control/stats?account=${API_KEY}`)).resolves.toMatchObject({ ordersPlaced: 0 });
  });

  it('when one account is reset by name, then the other keeps its book; reset without a name clears both', async () => {
    await h.place({});
    await placeB(h, kiteB);
    await h.control('POST', forB('/control/reset'));
    expect(await kiteB.getOrders()).toEqual([]);
    expect(await h.kite.getOrders()).toHaveLength(1);

    await placeB(h, kiteB);
    await h.control('POST', '/control/reset');
    expect(await kiteB.getOrders()).toEqual([]);
    expect(await h.kite.getOrders()).toEqual([]);
  });
});

describe('paper broker with two accounts: the book on disk', () => {
  let stateFile: string;
  const open: Harness[] = [];
  const start = async (withB = true) => {
    const h = await startHarness({
      rateLimit: { enabled: false, ordersPerSecond: 10 }, stateFile, saveDebounceMs: 20, ...(withB ? { accounts: [accountB()] } : {}),
    });
    open.push(h);
    return h;
  };
  beforeEach(() => {
    stateFile = paperStateFile(fs.mkdtempSync(path.join(os.tmpdir(), 'paper-multi-')));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((h) => h.close()));
  });

  const view = async (kite: Connect) => ({ orders: await kite.getOrders(), trades: await kite.getTrades(), positions: await kite.getPositions(), margins: await equity(kite) });

  it('when restarted, then each account finds its own book and token again', async () => {
    const h = await start();
    const a = await h.place({ tag: 'disk-a' });
    await h.control('POST', `/control/orders/${a.order_id}/fill`, {});
    const b = await placeB(h, clientB(h), { tag: 'disk-b', quantity: 60 });
    await h.control('POST', forB(`/control/orders/${b.order_id}/fill`), { quantity: 30 });
    await h.control('POST', forB('/control/session'), { accessToken: 'rotated_b' });
    const before = { a: await view(h.kite), b: await view(clientB(h, 'rotated_b')) };
    await h.close();
    expect(readSnapshot(stateFile)?.accounts?.map((x) => [x.apiKey, x.accessToken, x.orders.length])).toEqual([[KEY_B, 'rotated_b', 1]]);

    const again = await start();
    expect(await view(again.kite)).toEqual(before.a);
    expect(await view(clientB(again, 'rotated_b'))).toEqual(before.b);
    expect((await rejectionOf(clientB(again).getOrders())).error_type).toBe('TokenException');
  });

  it('when the file was written by a single-account broker, then it loads into the primary and B starts empty', async () => {
    const h = await start(false);
    const a = await h.place({ tag: 'old-a' });
    await h.close();
    expect(readSnapshot(stateFile)?.accounts).toBeUndefined();

    const again = await start();
    expect((await again.kite.getOrders()).map((o) => o.order_id)).toEqual([a.order_id]);
    expect(await clientB(again).getOrders()).toEqual([]);
    await expect(placeB(again, clientB(again))).resolves.toMatchObject({ order_id: expect.any(String) });
  });
});

describe('paper accounts configuration', () => {
  const entry = { apiKey: 'k2', apiSecret: 's2', accessToken: 't2', startingCash: 250_000 };

  it('when PAPER_ACCOUNTS is a JSON array of accounts, then the broker options carry them', () => {
    const env = parsePaperEnv({ PAPER_ACCOUNTS: JSON.stringify([entry, { ...entry, apiKey: 'k3', userId: 'ZX1234' }]) });
    expect(paperOptionsFromEnv(env).accounts).toEqual([entry, { ...entry, apiKey: 'k3', userId: 'ZX1234' }]);
    expect(paperOptionsFromEnv(parsePaperEnv({ PAPER_ACCOUNTS: '' })).accounts).toBeUndefined();
  });

  it('when PAPER_ACCOUNTS is not JSON or an account lacks a field, then start-up fails naming the variable and the field', () => {
    expect(() => parsePaperEnv({ PAPER_ACCOUNTS: '[{' })).toThrow(/PAPER_ACCOUNTS: not valid JSON/);
    expect(() => parsePaperEnv({ PAPER_ACCOUNTS: JSON.stringify([{ apiKey: 'k2', accessToken: 't2' }]) })).toThrow(/PAPER_ACCOUNTS\.0\.apiSecret/);
    expect(() => parsePaperAccounts(JSON.stringify([{ ...entry, extra: 1 }]))).toThrow(/PAPER_ACCOUNTS/);
    expect(parsePaperAccounts(undefined)).toEqual([]);
  });

  it('when two accounts share an api_key, then the broker refuses to start', () => {
    const base = { apiKey: API_KEY, accessToken: ACCESS_TOKEN, apiSecret: API_SECRET, logger: quiet };
    expect(() => createPaperBroker({ ...base, accounts: [{ ...entry, apiKey: API_KEY }] })).toThrow(/two accounts have the api_key/);
  });
});
