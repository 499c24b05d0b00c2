import { z } from 'zod';
import type { OperationSpec } from './operation-spec';

/**
 * Every refusal's body, as error-middleware.ts writes it: a machine-readable code, a human message, and details for
 * some (the failing fields of a 400, the check report of a 422), and on a 500 the request id to quote to an operator.
 */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});

export type ErrorCodes = Partial<Record<number, string[]>>;

const BODY_ERRORS: ErrorCodes = {
  400: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'BODY_INCOMPLETE', 'BAD_REQUEST_BODY'],
  413: ['BODY_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_CHARSET', 'UNSUPPORTED_ENCODING'],
};
const KEY_ERRORS: ErrorCodes = { 401: ['UNAUTHENTICATED'], 429: ['RATE_LIMITED', 'CONCURRENCY_LIMITED'] };
const OUTAGES: ErrorCodes = { 503: ['DATABASE_UNAVAILABLE', 'TEMPORAL_UNAVAILABLE'] };

/** Merges code lists by status, each code once, in the order given. */
export function mergeErrors(...sets: ErrorCodes[]): ErrorCodes {
  const out: Record<number, string[]> = {};
  for (const set of sets) {
    for (const [status, codes] of Object.entries(set)) {
      const list = (out[Number(status)] ??= []);
      for (const code of codes ?? []) if (!list.includes(code)) list.push(code);
    }
  }
  return out;
}

/** What any route of this kind can answer, whatever it does: validation, keys, roles, outages, the 500. */
export function errorsOf(op: OperationSpec): ErrorCodes {
  const validated = op.params || op.query || op.headers ? { 400: ['VALIDATION_FAILED'] } : {};
  const malformedPath = op.params ? { 400: ['MALFORMED_PATH'] } : {};
  const needsKey = op.access !== 'public';
  const backed = op.tag !== 'Contract' && op.tag !== 'Health';
  return mergeErrors(
    validated,
    malformedPath,
    op.body ? BODY_ERRORS : {},
    needsKey ? KEY_ERRORS : {},
    op.access === 'operator' || op.access === 'public-or-operator' ? { 403: ['FORBIDDEN'] } : {},
    op.errors ?? {},
    backed ? OUTAGES : {},
    { 500: ['INTERNAL'] },
  );
}

/** Statuses that carry Retry-After (seconds) when the refusal is worth repeating later. */
export const RETRY_AFTER_STATUSES = [429, 503];

const REASONS: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthenticated', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict', 413: 'Body too large',
  415: 'Unsupported media type', 422: 'Refused by validation or the risk gate', 429: 'Too many requests', 500: 'Internal error',
  503: 'A dependency is unavailable',
};

export const reasonOf = (status: number): string => REASONS[status] ?? 'Error';
