/**
 * Kite Connect's login flow, as the paper broker plays it (no authentication: these are how one gets a token). The
 * api_key picks the account: its redirect URL, its secret for the checksum, its user id; the new token is its own.
 *
 * GET  /connect/login?api_key=K&v=3   -> 302 to the configured redirect URL (config `loginRedirectUrl`, the URL an app
 *                                        registers at Kite) with ?request_token=T&action=login&status=success. Kite
 *                                        shows its login form first; the paper broker has no user to ask.
 * POST /session/token  (form) api_key, request_token, checksum = sha256(api_key + request_token + api_secret)
 *                                     -> {user_id, ..., access_token, login_time}: a new daily session. The paper
 *                                        broker accepts only this new token from now on (as POST /control/session).
 * A request token is good for one exchange within 5 minutes; a wrong checksum or an unknown, used or stale request
 * token answers 403 TokenException, an unknown api_key 400 InputException — what kiteconnect's generateSession meets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { inputError, KiteApiError, sendData } from './errors';
import { kiteTimestamp } from './ist-time';
import type { PaperState } from './state';

const REQUEST_TOKEN_TTL_MS = 5 * 60_000;
const MAX_PENDING = 100;

/** Kite's checksum of a request-token exchange: sha256 hex of api_key + request_token + api_secret. */
export function sessionChecksum(apiKey: string, requestToken: string, apiSecret: string): string {
  return createHash('sha256').update(apiKey + requestToken + apiSecret).digest('hex');
}

const tokenBody = z.object({ api_key: z.string().min(1), request_token: z.string().min(1), checksum: z.string().min(1) });

/**
 * The login page and the request-token exchange (see the block above). `account` finds the account of an api_key:
 * its redirect URL, secret and user id are used, and the new access token is that account's.
 */
export function loginRoutes(account: (apiKey: string) => PaperState | undefined): Router {
  const router = Router();
  /** Request tokens handed out and not yet exchanged: the api_key they were issued for and when (wall clock, ms). */
  const pending = new Map<string, { apiKey: string; at: number }>();
  const prune = (now: number): void => {
    for (const [t, { at }] of pending) if (now - at > REQUEST_TOKEN_TTL_MS || pending.size > MAX_PENDING) pending.delete(t);
  };

  router.get('/connect/login', (req, res) => {
    const page = (status: number, text: string) => res.status(status).type('html').send(`<!doctype html><title>Paper Kite login</title><p>${text}</p>`);
    const apiKey = typeof req.query.api_key === 'string' ? req.query.api_key : '';
    const state = account(apiKey);
    if (!state) return void page(400, 'Invalid api_key.');
    const redirect = state.config.loginRedirectUrl;
    if (!redirect) return void page(400, 'No redirect URL is registered for this app: set loginRedirectUrl (POST /control/config).');
    prune(Date.now());
    const requestToken = randomBytes(16).toString('hex');
    pending.set(requestToken, { apiKey, at: Date.now() });
    const url = new URL(redirect);
    url.searchParams.set('request_token', requestToken);
    url.searchParams.set('action', 'login');
    url.searchParams.set('status', 'success');
    res.redirect(302, url.toString());
  });

  router.post('/session/token', (req, res) => {
    const input = tokenBody.parse(req.body ?? {});
    const state = account(input.api_key);
    if (!state) throw inputError('Invalid `api_key`.');
    prune(Date.now());
    // A request token is good only for the app (api_key) it was issued to.
    if (pending.get(input.request_token)?.apiKey !== input.api_key) throw new KiteApiError('TokenException', 'Token is invalid or has expired.');
    const expected = Buffer.from(sessionChecksum(input.api_key, input.request_token, state.settings.apiSecret));
    const given = Buffer.from(input.checksum);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new KiteApiError('TokenException', 'Invalid `checksum`.');
    pending.delete(input.request_token);
    const accessToken = `paper-${randomBytes(16).toString('hex')}`;
    state.settings.accessToken = accessToken;
    sendData(res, {
      user_type: 'individual', email: 'paper@example.invalid', user_name: 'Paper Trader', user_shortname: 'Paper', broker: 'ZERODHA',
      exchanges: ['NSE', 'NFO', 'BSE'], products: ['CNC', 'NRML', 'MIS'], order_types: ['MARKET', 'LIMIT', 'SL', 'SL-M'], avatar_url: null,
      user_id: state.settings.userId, api_key: input.api_key, access_token: accessToken, public_token: randomBytes(16).toString('hex'), refresh_token: '',
      enctoken: '', login_time: kiteTimestamp(state.settings.now()), meta: { demat_consent: 'empty' },
    });
  });
  return router;
}
