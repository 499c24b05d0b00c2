import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../services/app-errors';
import { outageOf } from '../services/outages';
import { requestIdOf } from './request-log';

/** The one place errors become HTTP answers. A 500 says nothing internal; the log gets the detail. */
export function errorMiddleware(log: (msg: string, err: unknown) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof ZodError) {
      res.status(400).json({
        error: { code: 'VALIDATION_FAILED', message: 'the request is malformed', details: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
      return;
    }
    if (err instanceof AppError) {
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
      return;
    }
    const bodyError = bodyParserError(err);
    if (bodyError) {
      res.status(bodyError.status).json({ error: { code: bodyError.code, message: bodyError.message } });
      return;
    }
    if (err instanceof URIError) {
      res.status(400).json({ error: { code: 'MALFORMED_PATH', message: 'the path is not valid percent-encoding' } });
      return;
    }
    const outage = outageOf(err);
    if (outage) {
      log(`${outage.code} on ${req.method} ${req.path}${requestTag(res)}`, err);
      res.setHeader('Retry-After', '2');
      res.status(503).json({ error: outage });
      return;
    }
    log(`unhandled error on ${req.method} ${req.path}${requestTag(res)}`, err);
    // The request id finds the operator log's record of it (the request log's and this one).
    const requestId = requestIdOf(res);
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error; the operator log has the details', ...(requestId ? { requestId } : {}) } });
  };
}

const requestTag = (res: Parameters<ErrorRequestHandler>[2]) => {
  const id = requestIdOf(res);
  return id ? ` (request ${id})` : '';
};

/** The body parser's refusals (its `type`), as the client's mistake they are, with a code each. */
const BODY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  'entity.parse.failed': { status: 400, code: 'MALFORMED_JSON', message: 'the body is not valid JSON' },
  'entity.too.large': { status: 413, code: 'BODY_TOO_LARGE', message: 'the body is larger than 100 kB' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_CHARSET', message: 'the body must be UTF-8 JSON' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_ENCODING', message: 'the body must be sent unencoded, or gzip/deflate/br' },
  'request.aborted': { status: 400, code: 'BODY_INCOMPLETE', message: 'the request was aborted while its body was read' },
  'request.size.invalid': { status: 400, code: 'BODY_INCOMPLETE', message: 'the body is not as long as its Content-Length says' },
};

function bodyParserError(err: unknown): { status: number; code: string; message: string } | null {
  if (!err || typeof err !== 'object' || !('type' in err)) return null;
  const known = BODY_ERRORS[(err as { type: string }).type];
  if (known) return known;
  const status = (err as { status?: number }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? { status, code: 'BAD_REQUEST_BODY', message: 'the body could not be read' } : null;
}
