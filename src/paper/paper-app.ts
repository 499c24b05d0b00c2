import express, { type RequestHandler, type Router } from 'express';
import { controlRoutes } from './control-routes';
import { KiteApiError, errorBody, sendError } from './errors';
import { loginRoutes } from './login-routes';
import { errorHandler, notFound } from './middleware';
import type { PaperAccount } from './paper-account';

export interface PaperAppDeps {
  /** The account of the top-level options: what /control addresses without `?account=`. */
  primary: PaperAccount;
  /** Every account, the primary first. */
  accounts: readonly PaperAccount[];
  /** POST /control/reset without `?account=`: every account and the market. */
  resetAll: () => void;
  /** Saves the book (every account's). */
  changed: () => void;
}

/**
 * /control/* addresses the primary account, or the one named by `?account=<apiKey>` (404 for an unknown one).
 * Market routes (price, instruments) act on the shared market whichever account is named.
 */
function controlDispatch({ primary, accounts, resetAll }: PaperAppDeps): RequestHandler {
  const unnamed = controlRoutes(primary.controlDeps(resetAll));
  const named = new Map<string, Router>(accounts.map((a) => [a.apiKey, controlRoutes(a.controlDeps(() => a.reset()))]));
  return (req, res, next) => {
    if (!req.path.startsWith('/control/')) return next();
    const selector = req.query.account;
    if (selector === undefined) return unnamed(req, res, next);
    const router = typeof selector === 'string' ? named.get(selector) : undefined;
    if (!router) return void res.status(404).json(errorBody('GeneralException', `Unknown paper account \`${String(selector)}\`: use ?account=<api_key> of a configured account.`));
    router(req, res, next);
  };
}

/** `Authorization: token api_key:access_token` picks the account whose Kite routes answer, else 403 TokenException (as Kite). */
function accountDispatch(accounts: readonly PaperAccount[]): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization');
    const account = accounts.find((a) => a.authorization === header);
    if (!account) return sendError(res, new KiteApiError('TokenException', 'Incorrect `api_key` or `access_token`.'));
    account.kiteRouter(req, res, next);
  };
}

/**
 * The HTTP surface: /control and the login flow (no auth) first, then the token check that picks the account, whose
 * router applies Kite's gateway order (arrival stats, injected faults, order rate limit) and the Kite routes; one
 * error handler. Does not listen.
 */
export function createPaperApp(deps: PaperAppDeps): express.Express {
  const { primary, accounts, changed } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  // Any request that may change the book (a refused modify still counts, a control call may move a price) saves it.
  app.use((req, res, next) => {
    if (req.method !== 'GET') res.on('finish', () => changed());
    next();
  });
  app.use(controlDispatch(deps));
  app.use(loginRoutes((apiKey) => accounts.find((a) => a.apiKey === apiKey)?.state)); // before the token check
  app.use(accountDispatch(accounts));
  app.use(notFound);
  app.use(errorHandler(primary.state.settings.log));
  return app;
}
