import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureTypes } from '../order-messages';

/** What a broker call returns when, instead of a fresh token, an operator chose to abandon the order. */
export const ABANDONED = { abandoned: true } as const;
export const isAbandoned = (v: unknown): v is typeof ABANDONED => v === ABANDONED;

/** Worth another attempt: anything but a business rejection or an expired session (those are answers, not faults). */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  const cause = err.cause;
  return !(cause instanceof ApplicationFailure && (cause.type === FailureTypes.brokerRejected || cause.type === FailureTypes.tokenExpired || cause.nonRetryable));
}

export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The Kite error_type an activity failed with (its ApplicationFailure type), or null for a timeout. */
export function failureType(err: unknown): string | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause.type ?? null : null;
}

export function isTokenExpired(err: unknown): err is ActivityFailure {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureTypes.tokenExpired;
}

/** The broker's refusal of a place request: its Kite code and message, or null when the failure was something else. */
export function brokerRefusal(err: unknown): { code: string; message: string } | null {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureTypes.brokerRejected) return null;
  return { code: String(cause.details?.[0] ?? 'BROKER_REJECTED'), message: cause.message };
}

/** A refusal an update handler answers with: non-retryable, typed for the API's error mapping. */
export function refusal(type: string, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message, details });
}
