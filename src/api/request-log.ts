import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import type { Principal } from '../config/access-config';
import { redactText, type Logger } from '../infra/logger';

/** An id a caller may choose: short, and nothing that could forge a log line or a header. */
const CALLER_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Probes answered many times a minute: logged at debug unless they fail. */
const PROBES = new Set(['/health', '/ready', '/metrics']);

/** The caller's `x-request-id` when it is safe to log and echo, else a fresh UUID. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && CALLER_ID.test(incoming) ? incoming : randomUUID();
}

/** The id `requestLog` gave the request (absent only outside the app, e.g. a route mounted alone in a test). */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

const pathOf = (req: Request) => (req.originalUrl ?? req.url).split('?')[0];
const summary = (req: Request, res: Response) => `${req.method} ${redactText(req.originalUrl ?? req.url)} ${res.statusCode}`;

/**
 * Gives each request an id (the caller's valid `x-request-id`, else a UUID), echoes it in `x-request-id`, and writes
 * one record per answered request: method, URL (its secrets cut), status, time taken and the API key's id and role
 * once authenticated. Headers are never logged, so neither is a key. Without a logger the ids are still given.
 */
export function requestLog(logger?: Logger): RequestHandler {
  return pinoHttp<Request, Response>({
    logger: (logger ?? pino({ enabled: false })).child({ component: 'http' }),
    genReqId: (req, res) => {
      const id = requestIdFor(req.headers['x-request-id']);
      res.setHeader('x-request-id', id);
      res.locals.requestId = id;
      return id;
    },
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    serializers: {
      req: (r: { method: string; url: string }) => ({ method: r.method, url: redactText(r.url) }),
      res: (r: { statusCode: number }) => ({ statusCode: r.statusCode }),
    },
    // Called again when the answer is written, by when authentication has named the caller and a created order its
    // Location (the order a request id led to).
    customProps: (_req, res) => {
      const p = res.locals?.principal as Principal | undefined;
      const location = res.getHeader('location');
      return { ...(p ? { caller: { keyId: p.id, role: p.role } } : {}), ...(typeof location === 'string' ? { location } : {}) };
    },
    customLogLevel: (req, res, err) => (err || res.statusCode >= 500 ? 'error' : PROBES.has(pathOf(req)) ? 'debug' : 'info'),
    customSuccessMessage: summary,
    customErrorMessage: summary,
  });
}
