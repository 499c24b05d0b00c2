import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../../services/app-errors';
import type { SessionView } from '../../services/broker-session-service';
import type { AccountSessions } from '../../services/account-sessions';
import { requireRole } from '../auth';

/**
 * The query Kite's redirect carries. The request token is checked by shape only: the broker validates it (the exchange
 * needs a checksum made with the API secret, which a forger lacks). Messages never echo it.
 */
export const LoginRedirect = z.object({
  request_token: z.string().regex(/^[A-Za-z0-9_-]{6,128}$/, 'not a request token'),
  action: z.string().max(32).optional(),
  status: z.string().max(32).optional(),
});

/** At most `perMinute` login completions a minute per process (each one costs a broker call): public routes need a cap. */
function loginRateLimit(perMinute: number): RequestHandler {
  let windowStart = 0;
  let count = 0;
  return (_req, res, next) => {
    const now = Date.now();
    if (now - windowStart >= 60_000) { windowStart = now; count = 0; }
    if (++count <= perMinute) return next();
    res.setHeader('Retry-After', String(Math.ceil((windowStart + 60_000 - now) / 1000)));
    next(new AppError(429, 'RATE_LIMITED', 'too many login attempts; wait a minute'));
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function sessionPage(v: SessionView): string {
  const until = v.expiresAt ? `live until ${v.expiresAt} (06:00 IST)` : v.state.toLowerCase();
  const waiting = v.ordersWaitingForOperator > 0 ? `<p>${v.ordersWaitingForOperator} order(s) paused by the expired session wait for an operator: GET /api/v1/interventions, then resume or abandon each.</p>` : '';
  return `<!doctype html><meta charset="utf-8"><title>Kite session</title><h1>Kite session for ${escapeHtml(v.account)}: ${escapeHtml(until)}</h1>${waiting}`;
}

export interface AccountRouteDeps {
  sessions: Pick<AccountSessions, 'loginUrl' | 'completeLogin' | 'status'>;
  /** Every account with its strategies, session and kill switch (GET /api/v1/accounts). */
  list?: () => Promise<unknown[]>;
  /** API-key authentication (and limits) for what only an operator may read. */
  authed: RequestHandler[];
}

/**
 * /api/v1/accounts/:id — the daily Kite session. `/login` and the redirect back (`/session?request_token=`) are public:
 * the first only redirects to the broker's login page with the public api_key; the second only works with a request
 * token the broker issued to whoever logged in at the broker. Reading the session's state needs the operator key.
 */
export function accountRoutes(d: AccountRouteDeps): Router {
  const router = Router();
  const limited = loginRateLimit(30);

  /** GET /api/v1/accounts — operator: the broker accounts, their strategies, sessions and kill switches. */
  if (d.list) {
    const list = d.list;
    router.get('/', ...d.authed, requireRole('operator'), async (_req, res) => {
      res.json({ accounts: await list() });
    });
  }

  /** GET /api/v1/accounts/:id/login — 302 to the broker's login page (open it in a browser each morning). */
  router.get('/:id/login', limited, (req, res) => {
    res.redirect(302, d.sessions.loginUrl(String(req.params.id)));
  });

  /** GET /api/v1/accounts/:id/session?request_token=... — Kite's redirect: the day's session (never the token). */
  router.get('/:id/session', (req, _res, next) => (req.query.request_token === undefined ? next('route') : next()), limited, async (req, res) => {
    const q = LoginRedirect.parse(req.query);
    if (q.status !== undefined && q.status !== 'success') throw new AppError(400, 'LOGIN_NOT_COMPLETED', `the broker's login ended with status ${q.status}; open the login again`);
    const view = await d.sessions.completeLogin(String(req.params.id), q.request_token);
    res.setHeader('Cache-Control', 'no-store');
    res.format({ json: () => res.json({ session: view }), html: () => res.type('html').send(sessionPage(view)), default: () => res.json({ session: view }) });
  });

  /** GET /api/v1/accounts/:id/session — operator: whether the session is live, since when, until when. */
  router.get('/:id/session', ...d.authed, requireRole('operator'), async (req, res) => {
    res.json({ session: await d.sessions.status(String(req.params.id)) });
  });
  return router;
}
