import request from 'supertest';
import { createApp } from '../../src/api/app';
import { BrokerError } from '../../src/broker/broker-errors';
import { loadAccessConfig } from '../../src/config/access-config';
import { sessionExpiresAt } from '../../src/domain/broker-session';
import { BrokerSessionService } from '../../src/services/broker-session-service';
import type { OrderService } from '../../src/services/order-service';
import { TEST_KEYS, writeAccessConfig } from '../support/access-config';

/** The daily-login routes over a fake broker and store: what the browser and the operator are answered. */
const NOW = Date.parse('2026-12-03T09:00:00+05:30');
const REQUEST_TOKEN = 'a1b2c3d4e5f6a7b8c9d0';
const ACCESS_TOKEN = 'secret-access-token-of-the-day';

function setup(exchange: (token: string) => Promise<{ accessToken: string; userId: string | null }> = async () => ({ accessToken: ACCESS_TOKEN, userId: 'AB1234' })) {
  const saved: { token: string; expiresAt: Date | null }[] = [];
  const logs: string[] = [];
  let stored: { updatedAt: Date; expiresAt: Date | null } | null = null;
  const sessions = new BrokerSessionService({
    account: 'default', now: () => NOW, log: (l) => logs.push(l), pausedOrders: async () => 2,
    login: { loginUrl: () => 'https://kite.zerodha.com/connect/login?api_key=k&v=3', exchange },
    store: {
      async saveAccessToken(_account, token, expiresAt) { saved.push({ token, expiresAt }); stored = { updatedAt: new Date(NOW), expiresAt }; return stored; },
      async loadSessionInfo() { return stored; },
    },
    gateway: { sessionExpired: async () => false },
  });
  const app = createApp({ orders: {} as OrderService, access: loadAccessConfig(writeAccessConfig()), brokerSessions: sessions, log: (l) => logs.push(l) });
  return { app, saved, logs };
}

const back = (token = REQUEST_TOKEN) => `/api/v1/accounts/default/session?request_token=${token}&action=login&status=success`;

describe('GET /api/v1/accounts/:id/login', () => {
  it('when the default account is asked, then the browser is sent to the broker login page, with no key needed', async () => {
    const res = await request(setup().app).get('/api/v1/accounts/default/login');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://kite.zerodha.com/connect/login?api_key=k&v=3');
  });

  it('when another account is asked, then 404', async () => {
    expect((await request(setup().app).get('/api/v1/accounts/other/login')).status).toBe(404);
  });
});

describe("GET /api/v1/accounts/:id/session?request_token= (the broker's redirect)", () => {
  it('when the broker accepts the request token, then the token is stored with the next 06:00 IST as its expiry and the answer never shows it', async () => {
    const { app, saved, logs } = setup();
    const json = await request(app).get(back()).set('accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.body.session).toEqual({ account: 'default', state: 'LIVE', live: true, since: new Date(NOW).toISOString(), expiresAt: '2026-12-04T00:30:00.000Z', ordersWaitingForOperator: 2 });
    expect(json.headers['cache-control']).toBe('no-store');
    expect(saved).toEqual([{ token: ACCESS_TOKEN, expiresAt: new Date(sessionExpiresAt(NOW)) }]);
    const html = await request(app).get(back()).set('accept', 'text/html');
    expect(html.text).toContain('Kite session for default: live until 2026-12-04T00:30:00.000Z');
    expect(html.text).toContain('2 order(s) paused');
    const other = await request(app).get(back()).set('accept', 'text/plain');
    expect(other.status).toBe(200);
    for (const text of [json.text, html.text, other.text, ...logs]) {
      expect(text).not.toContain(ACCESS_TOKEN);
      expect(text).not.toContain(REQUEST_TOKEN);
    }
  });

  it('when the broker refuses the request token, then 400 LOGIN_REFUSED and nothing is stored', async () => {
    const { app, saved } = setup(async () => { throw new BrokerError('token', 'TokenException', 'Token is invalid or has expired.'); });
    const res = await request(app).get(back()).set('accept', 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('LOGIN_REFUSED');
    expect(res.text).not.toContain(REQUEST_TOKEN);
    expect(saved).toEqual([]);
  });

  it('when the broker does not answer, then 503 BROKER_UNAVAILABLE with a Retry-After', async () => {
    const res = await request(setup(async () => { throw new BrokerError('unknown', 'NetworkException', 'timeout'); }).app).get(back()).set('accept', 'application/json');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('BROKER_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('when the login did not end in success or the request token is malformed, then 400 and the broker is not asked', async () => {
    let asked = 0;
    const { app } = setup(async () => { asked++; return { accessToken: ACCESS_TOKEN, userId: null }; });
    const cancelled = await request(app).get(`/api/v1/accounts/default/session?request_token=${REQUEST_TOKEN}&status=cancelled`);
    expect(cancelled.body.error.code).toBe('LOGIN_NOT_COMPLETED');
    const malformed = await request(app).get('/api/v1/accounts/default/session?request_token=%3Cb%3E');
    expect(malformed.status).toBe(400);
    expect(asked).toBe(0);
  });

  it('when more than 30 attempts come within a minute, then the rest get 429', async () => {
    const { app } = setup(async () => { throw new BrokerError('token', 'TokenException', 'no'); });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await request(app).get(back())).status);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('GET /api/v1/accounts/:id/session (the operator reads the state)', () => {
  it('when no key, a strategy key or the operator key asks, then 401, 403 and the state without any token', async () => {
    const { app } = setup();
    expect((await request(app).get('/api/v1/accounts/default/session')).status).toBe(401);
    expect((await request(app).get('/api/v1/accounts/default/session').set('x-api-key', TEST_KEYS.strategyA)).status).toBe(403);
    const res = await request(app).get('/api/v1/accounts/default/session').set('x-api-key', TEST_KEYS.operator);
    expect(res.status).toBe(200);
    expect(res.body.session).toEqual({ account: 'default', state: 'NONE', live: false, since: null, expiresAt: null, ordersWaitingForOperator: 2 });
  });
});
