import { sessionExpiresAt } from '../../src/domain/broker-session';
import { TEST_KEYS } from '../support/access-config';
import { riskConfigWith, writeRiskConfig } from '../support/risk-config';
import { eventually, startStack, type Stack } from './stack';

/**
 * The daily session: when Kite's token expires, an order pauses and new ones are refused; the operator opens
 * /api/v1/accounts/default/login, logs in at the (paper) broker, is sent back with a request token, and the OMS trades
 * again on the new token — every step over HTTP as a browser would go, the token never shown or logged.
 */
let stack: Stack;
let symbol: string;
let seq = 0;
const logs: string[] = [];
const answers: string[] = [];
const cid = (name: string) => `${name}-${Date.now().toString(36)}-${++seq}`;
const order = (id: string) => stack.api('GET', `/api/v1/orders/${id}`).then((r) => r.body.order);
const PAPER_TOKEN = /paper-[0-9a-f]{32}/;

/** One hop of the browser's way, not following the redirect; the OMS's answers are kept for the no-secret check. */
async function hop(url: string, accept = 'text/html'): Promise<{ status: number; location: string | null; text: string }> {
  const res = await fetch(url, { redirect: 'manual', headers: { accept } });
  const text = await res.text();
  // (the broker's own redirect carries the request token: that is how the browser brings it back)
  if (url.startsWith(stack.sys.apiUrl)) answers.push(text, res.headers.get('location') ?? '');
  return { status: res.status, location: res.headers.get('location'), text };
}

beforeAll(async () => {
  stack = await startStack({ RISK_CONFIG_FILE: writeRiskConfig(riskConfigWith({ marketData: { maxAgeMs: 3_600_000 } })) }, { log: (line) => logs.push(line) });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments: { tradingsymbol: string }[] = await stack.control('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => { await stack?.close(); });

describe('the daily login', () => {
  it('when the token expires and the operator logs in through /login, then the session is live, new orders fill and the paused order resumes', async () => {
    const limit = { strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML' };
    const placed = await stack.api('POST', '/api/v1/orders', { clientOrderId: cid('login'), ...limit });
    expect(placed.status).toBe(202);
    const pausedId = placed.body.order.orderId;
    const open = await eventually(() => order(pausedId), (o) => o.status === 'OPEN');

    // Kite's 06:00 logout, as the paper broker plays it: the token in use stops working.
    await stack.control('POST', '/control/session', { accessToken: 'yesterdays-successor' });
    await eventually(() => order(pausedId), (o) => o.intervention?.reason === 'TOKEN_EXPIRED');
    expect(logs.filter((l) => l.includes('"alert":"TOKEN_EXPIRED"') && l.includes('"account":"default"'))).toHaveLength(1);
    // ... and one TOKEN_EXPIRED alert in the operators' stream, naming the way out.
    const alerts = await stack.sql<{ payload: { message: string } }>("select payload from events where type = 'ALERT' and payload->>'kind' = 'TOKEN_EXPIRED'");
    expect(alerts).toHaveLength(1);
    expect(alerts[0].payload.message).toContain('/api/v1/accounts/default/login');
    // The count is read from Postgres, which the workflow's save reaches just after its state shows the pause.
    const expired = await eventually(() => stack.api('GET', '/api/v1/accounts/default/session'), (r) => r.body.session.ordersWaitingForOperator === 1);
    expect(expired.body.session).toMatchObject({ account: 'default', state: 'EXPIRED', live: false, ordersWaitingForOperator: 1 });
    const refused = await stack.api('POST', '/api/v1/orders', { clientOrderId: cid('login'), ...limit });
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('BROKER_SESSION_EXPIRED');

    // The browser: OMS /login -> the broker's login page -> back to the OMS with a request token.
    const toBroker = await hop(`${stack.sys.apiUrl}/api/v1/accounts/default/login`);
    expect(toBroker.status).toBe(302);
    expect(toBroker.location).toBe(`${stack.sys.paperBrokerUrl}/connect/login?api_key=paper_key&v=3`);
    const back = await hop(toBroker.location!);
    expect(back.status).toBe(302);
    const redirect = new URL(back.location!);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(`${stack.sys.apiUrl}/api/v1/accounts/default/session`);
    const requestToken = redirect.searchParams.get('request_token')!;
    expect(requestToken).toMatch(/^[0-9a-f]{32}$/);
    const page = await hop(back.location!);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Kite session for default: live until \d{4}-\d\d-\d\dT00:30:00\.000Z/);
    expect(page.text).toContain('1 order(s) paused');

    // A request token is good once; a forged one fails at the broker.
    const replay = await hop(back.location!, 'application/json');
    expect(replay.status).toBe(400);
    expect(JSON.parse(replay.text).error.code).toBe('LOGIN_REFUSED');
    const forged = await hop(`${stack.sys.apiUrl}/api/v1/accounts/default/session?request_token=0123456789abcdef0123456789abcdef&action=login&status=success`, 'application/json');
    expect(JSON.parse(forged.text).error.code).toBe('LOGIN_REFUSED');

    const live = await stack.api('GET', '/api/v1/accounts/default/session');
    answers.push(JSON.stringify(live.body));
    expect(live.status).toBe(200);
    expect(live.body.session).toMatchObject({ account: 'default', state: 'LIVE', live: true, ordersWaitingForOperator: 1 });
    expect(live.body.session.expiresAt).toBe(new Date(sessionExpiresAt(Date.parse(live.body.session.since))).toISOString());
    const [row] = await stack.sql<{ access_token_enc: string; expires_at: Date }>('SELECT access_token_enc, expires_at FROM broker_sessions WHERE account = $1', ['default']);
    expect(row.expires_at.toISOString()).toBe(live.body.session.expiresAt);
    expect(row.access_token_enc).not.toMatch(PAPER_TOKEN); // encrypted at rest

    // New orders go through on the new token and fill.
    const fresh = await stack.api('POST', '/api/v1/orders', { clientOrderId: cid('login'), ...limit });
    expect(fresh.status).toBe(202);
    const freshOpen = await eventually(() => order(fresh.body.order.orderId), (o) => o.status === 'OPEN');
    await stack.control('POST', `/control/orders/${freshOpen.brokerOrderId}/fill`, {});
    expect((await eventually(() => order(freshOpen.orderId), (o) => o.status === 'FILLED')).filledQuantity).toBe(30);

    // The paused order waits for the operator's word (it may be yesterday's intent), then goes on.
    expect((await order(pausedId)).intervention).toMatchObject({ reason: 'TOKEN_EXPIRED' });
    expect((await stack.api('POST', `/api/v1/orders/${pausedId}/interventions`, { action: 'resume', note: 'logged in' })).status).toBe(200);
    await stack.control('POST', `/control/orders/${open.brokerOrderId}/fill`, {});
    expect((await eventually(() => order(pausedId), (o) => o.status === 'FILLED')).filledQuantity).toBe(30);
    expect((await stack.api('GET', '/api/v1/accounts/default/session')).body.session.ordersWaitingForOperator).toBe(0);

    expect(logs.some((l) => /broker login for account default \(user PAPER1\): session live until/.test(l))).toBe(true);
    for (const text of [...answers, ...logs]) {
      expect(text).not.toMatch(PAPER_TOKEN);
      expect(text).not.toContain(requestToken);
    }
  });

  it('when the account is unknown or the caller is no operator, then the session routes say so', async () => {
    expect((await hop(`${stack.sys.apiUrl}/api/v1/accounts/other/login`, 'application/json')).status).toBe(404);
    expect((await stack.api('GET', '/api/v1/accounts/other/session')).status).toBe(404);
    expect((await stack.apiAs(null, 'GET', '/api/v1/accounts/default/session')).status).toBe(401);
    expect((await stack.apiAs(TEST_KEYS.strategyA, 'GET', '/api/v1/accounts/default/session')).status).toBe(403);
    const malformed = await hop(`${stack.sys.apiUrl}/api/v1/accounts/default/session?request_token=%3Cscript%3E`, 'application/json');
    expect(malformed.status).toBe(400);
    expect(malformed.text).not.toContain('<script>');
  });
});
