/** Application errors: an HTTP-like status, a machine-readable code, a human message, optional details (the API answers with them as they are). */
export class AppError extends Error {
  /** Sent as the Retry-After header (seconds): when a refusal for load or an outage is worth trying again. */
  retryAfterSeconds?: number;

  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'AppError';
  }
}

/** A refusal the caller may simply repeat later (429 for load, 503 for an outage or a missed deadline). */
export function retryLater(status: 429 | 503, code: string, message: string, retryAfterSeconds: number): AppError {
  const err = new AppError(status, code, message);
  err.retryAfterSeconds = retryAfterSeconds;
  return err;
}

export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} was not found`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);
