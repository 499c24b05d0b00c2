import { createHash } from 'node:crypto';
import { KiteConnect } from 'kiteconnect';
import { KiteLogin } from '../../src/broker/kite-login';
import { sessionChecksum } from '../../src/paper/login-routes';
import { API_KEY, API_SECRET, startHarness, type Harness } from './paper-harness';

/** Kite's login flow against the paper broker, driven by the official client (generateSession) through KiteLogin. */
let h: Harness;
const REDIRECT = 'http://127.0.0.1:1/api/v1/accounts/default/session';
const login = (secret = API_SECRET) => new KiteLogin({ apiKey: API_KEY, apiSecret: secret, root: h.root, loginUri: `${h.root}/connect/login`, timeoutMs: 2000 });

/** Follows the paper login page once, as a browser would, and reads the request token off the redirect. */
async function requestToken(): Promise<string> {
  const res = await fetch(login().loginUrl(), { redirect: 'manual' });
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get('location')!);
  expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
  expect(to.searchParams.get('action')).toBe('login');
  expect(to.searchParams.get('status')).toBe('success');
  return to.searchParams.get('request_token')!;
}

beforeAll(async () => { h = await startHarness({ loginRedirectUrl: REDIRECT }); });
afterAll(async () => { await h?.close(); });

describe('the request-token checksum', () => {
  it('when computed, then it is the sha256 hex of api_key + request_token + api_secret, as kiteconnect sends it', () => {
    expect(sessionChecksum('key', 'req', 'secret')).toBe(createHash('sha256').update('keyreqsecret').digest('hex'));
    expect(sessionChecksum('key', 'req', 'secret')).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionChecksum('key', 'req', 'secret')).not.toBe(sessionChecksum('key', 'req', 'other'));
  });
});

describe('the paper login flow', () => {
  it('when the login URL is built, then it is the paper login page with the api_key and v=3, and no secret', () => {
    const url = new URL(login().loginUrl());
    expect(`${url.origin}${url.pathname}`).toBe(`${h.root}/connect/login`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ api_key: API_KEY, v: '3' });
  });

  it('when a request token is exchanged with the right secret, then the new access token works and the old one is refused', async () => {
    const session = await login().exchange(await requestToken());
    expect(session.userId).toBe('PAPER1');
    const fresh = new KiteConnect({ api_key: API_KEY, access_token: session.accessToken, root: h.root, timeout: 2000 });
    await expect(fresh.getMargins('equity')).resolves.toBeDefined();
    await expect(h.kite.getMargins('equity')).rejects.toMatchObject({ error_type: 'TokenException' });
  });

  it('when the checksum is made with another secret, then the broker refuses it and the message names neither token nor secret', async () => {
    const token = await requestToken();
    const err = (await login('forged_secret').exchange(token).then(() => null, (e: unknown) => e)) as Error & { kind: string; errorType: string };
    expect(err).toMatchObject({ kind: 'token', errorType: 'TokenException' });
    expect(err.message).not.toContain(token);
    expect(err.message).not.toContain('forged_secret');
    // the request token is still good for the app that holds the secret
    await expect(login().exchange(token)).resolves.toMatchObject({ userId: 'PAPER1' });
  });

  it('when a request token is used twice or was never issued, then the broker refuses it', async () => {
    const token = await requestToken();
    await login().exchange(token);
    await expect(login().exchange(token)).rejects.toMatchObject({ kind: 'token' });
    await expect(login().exchange('0123456789abcdef0123456789abcdef')).rejects.toMatchObject({ kind: 'token' });
  });

  it('when the api_key is unknown or no redirect URL is registered, then the login page says so instead of redirecting', async () => {
    const wrongKey = await fetch(`${h.root}/connect/login?api_key=nope&v=3`, { redirect: 'manual' });
    expect(wrongKey.status).toBe(400);
    await h.control('POST', '/control/config', { loginRedirectUrl: null });
    try {
      const none = await fetch(`${h.root}/connect/login?api_key=${API_KEY}&v=3`, { redirect: 'manual' });
      expect(none.status).toBe(400);
      expect(await none.text()).toContain('loginRedirectUrl');
    } finally {
      await h.control('POST', '/control/config', { loginRedirectUrl: REDIRECT });
    }
  });
});
