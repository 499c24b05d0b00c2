/**
 * Kite errors arrive as plain objects `{ status, message, error_type, data }` (not Errors). This sorts them into
 * what the OMS must do about them, and keeps anything secret out of the message.
 */
export type BrokerErrorKind =
  /** The broker refused the request; retrying the same request will not help. */
  | 'rejected'
  /** We do not know whether the request took effect (timeout, 5xx, network): look before acting again. */
  | 'unknown'
  /** The session (access token) is not valid. */
  | 'token';

const REJECTIONS = ['InputException', 'OrderException', 'MarginException', 'HoldingException', 'PermissionException', 'UserException'];

export class BrokerError extends Error {
  constructor(readonly kind: BrokerErrorKind, readonly errorType: string, message: string) {
    super(message);
    this.name = 'BrokerError';
  }
}

/** Turns whatever kiteconnect rejected with into a BrokerError whose message is safe to log and store. */
export function classifyBrokerError(err: unknown, secrets: readonly string[] = []): BrokerError {
  if (err instanceof BrokerError) return err;
  const obj = (typeof err === 'object' && err !== null ? err : {}) as { error_type?: unknown; message?: unknown };
  const errorType = typeof obj.error_type === 'string' ? obj.error_type : 'NetworkException';
  const raw = typeof obj.message === 'string' ? obj.message : err instanceof Error ? err.message : String(err);
  const message = redact(raw, secrets).slice(0, 500);
  if (errorType === 'TokenException') return new BrokerError('token', errorType, message);
  if (REJECTIONS.includes(errorType)) return new BrokerError('rejected', errorType, message);
  return new BrokerError('unknown', errorType, message);
}

/**
 * The request provably never left this process: the connection was refused (or the host not found) before anything
 * was written, or the rate limiter refused to send it. Such a placement may be sent again at once; any other failure
 * (a timeout, a reset, a 5xx) may have reached the broker.
 */
export function neverSent(err: unknown): boolean {
  if (typeof err === 'object' && err !== null && (err as { notSent?: unknown }).notSent === true) return true;
  const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : '';
  return /error code: (ECONNREFUSED|ENOTFOUND|EAI_AGAIN)$/.test(message);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
