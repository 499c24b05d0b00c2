import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { KiteApiError, errorBody, sendError } from './errors';
import { MAX_PLACE_REQUEST_RECORDS, type PaperState } from './state';

/** POST/PUT/DELETE under /orders: what Kite's order rate limit and the 'orders' fault scope cover. */
export const isOrderRequest = (req: Request): boolean => req.method !== 'GET' && req.path.startsWith('/orders');
const isPlaceRequest = (req: Request): boolean => req.method === 'POST' && /^\/orders\/[^/]+\/?$/.test(req.path);

/** Counts place requests as they arrive (before rate limiting and faults) for /control/stats. */
export function placeStatsMiddleware(state: PaperState): RequestHandler {
  return (req, res, next) => {
    if (!isPlaceRequest(req)) return next();
    const stats = state.stats;
    stats.placeRequestsReceived += 1;
    const tag = typeof req.body?.tag === 'string' ? (req.body.tag as string) : null;
    const record = { tag, receivedAt: Date.now(), status: null as number | null };
    stats.placeRequests.push(record);
    if (stats.placeRequests.length > MAX_PLACE_REQUEST_RECORDS) stats.placeRequests.shift();
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    next();
  };
}

function sendHttpFault(res: Response, status: number): void {
  if (status === 502 || status === 504) {
    // Kite's gateway answers these with an HTML page, which the client maps to NetworkException.
    res.status(status).type('html').send(`<html><body><h1>${status} ${status === 502 ? 'Bad Gateway' : 'Gateway Time-out'}</h1></body></html>`);
    return;
  }
  const type = status === 429 || status === 503 ? 'NetworkException' : status >= 500 ? 'GeneralException' : 'InputException';
  const message = status === 429 ? 'Too many requests' : status === 503 ? 'Service unavailable' : `Injected HTTP ${status}`;
  res.status(status).json(errorBody(type, message));
}

/** Injected `http_error` and `delay` faults (see control routes). */
export function faultMiddleware(state: PaperState, pendingTimers: Set<NodeJS.Timeout>): RequestHandler {
  return (req, res, next) => {
    const inScope = (routes: 'orders' | 'quotes' | 'all'): boolean =>
      routes === 'all' || (routes === 'quotes' ? req.path.startsWith('/quote') : isOrderRequest(req));
    const httpFault = state.faults.take('http_error', (f) => inScope(f.routes));
    if (httpFault) {
      state.stats.faultsInjected += 1;
      return sendHttpFault(res, httpFault.status);
    }
    const delay = state.faults.take('delay', (f) => inScope(f.routes));
    if (!delay) return next();
    state.stats.faultsInjected += 1;
    const timer = setTimeout(() => {
      pendingTimers.delete(timer);
      next();
    }, delay.ms);
    pendingTimers.add(timer);
  };
}

/** Kite: 10 order requests per second per API key, then HTTP 429. */
export function rateLimitMiddleware(state: PaperState): RequestHandler {
  return (req, res, next) => {
    const { enabled, ordersPerSecond } = state.config.rateLimit;
    if (!enabled || !isOrderRequest(req)) return next();
    if (state.limiter.allow(state.settings.apiKey, ordersPerSecond, Date.now())) return next();
    state.stats.rateLimited += 1;
    res.status(429).json(errorBody('NetworkException', 'Too many requests'));
  };
}

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody('GeneralException', 'Route not found'));
};

/** One error handler: Kite errors as Kite envelopes; bad JSON/ZodError as InputException; the rest 500. */
export function errorHandler(log: (msg: string) => void): ErrorRequestHandler {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (err instanceof KiteApiError) return sendError(res, err);
    if (err instanceof ZodError) {
      const issue = err.issues[0];
      const where = issue?.path.length ? ` at \`${issue.path.join('.')}\`` : '';
      return void res.status(400).json(errorBody('InputException', `Invalid input${where}: ${issue?.message ?? 'bad request'}`));
    }
    const status = (err as { status?: unknown })?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void res.status(status).json(errorBody('InputException', 'Malformed request body'));
    }
    log(`paper broker internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    res.status(500).json(errorBody('GeneralException', 'Internal server error'));
  };
}
