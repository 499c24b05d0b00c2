import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../services/app-errors';

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
    if (err && typeof err === 'object' && 'type' in err && (err as { type: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'MALFORMED_JSON', message: 'the body is not valid JSON' } });
      return;
    }
    log(`unhandled error on ${req.method} ${req.path}`, err);
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal error; the operator log has the details' } });
  };
}
