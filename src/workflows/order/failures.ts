import { ActivityFailure, ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/workflow';
import { FailureTypes } from '../order-messages';

/** What a broker call returns when, instead of a fresh token, an operator chose to abandon the order. */
export const ABANDONED = { abandoned: true } as const;
export const isAbandoned = (v: unknown): v is typeof ABANDONED => v === ABANDONED;

/**
 * The failure an activity call ended with: a regular activity's ActivityFailure carries it as its cause, a local
 * activity throws it as it is (an ApplicationFailure or a TimeoutFailure). Undefined for anything else (a workflow
 * cancellation, a bug in workflow code).
 */
function activityCause(err: unknown): TemporalFailure | undefined {
  if (err instanceof ActivityFailure) return err.cause instanceof TemporalFailure ? err.cause : err;
  return err instanceof TemporalFailure && !(err instanceof CancelledFailure) ? err : undefined;
}

/** How long to wait before a placement may be tried again (an earlier attempt may still act), or null. */
export function inDoubtWaitMs(err: unknown): number | null {
  const cause = activityCause(err);
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureTypes.placementInDoubt) return null;
  const ms = Number(cause.details?.[0]);
  return Number.isFinite(ms) && ms > 0 ? ms : 1000;
}

/** Worth another attempt: anything but a business rejection or an expired session (those are answers, not faults). */
export function isTransient(err: unknown): boolean {
  const cause = activityCause(err);
  if (!cause) return false;
  return !(cause instanceof ApplicationFailure && (cause.type === FailureTypes.brokerRejected || cause.type === FailureTypes.tokenExpired || cause.nonRetryable));
}

export function failureMessage(err: unknown): string {
  const cause = activityCause(err) ?? err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The Kite error_type an activity failed with (its ApplicationFailure type), or null for a timeout. */
export function failureType(err: unknown): string | null {
  const cause = activityCause(err);
  return cause instanceof ApplicationFailure ? cause.type ?? null : null;
}

export function isTokenExpired(err: unknown): err is TemporalFailure {
  const cause = activityCause(err);
  return cause instanceof ApplicationFailure && cause.type === FailureTypes.tokenExpired;
}

/** The broker's refusal of a place request: its Kite code and message, or null when the failure was something else. */
export function brokerRefusal(err: unknown): { code: string; message: string } | null {
  const cause = activityCause(err);
  if (!(cause instanceof ApplicationFailure) || cause.type !== FailureTypes.brokerRejected) return null;
  return { code: String(cause.details?.[0] ?? 'BROKER_REJECTED'), message: cause.message };
}

/** A refusal an update handler answers with: non-retryable, typed for the API's error mapping. */
export function refusal(type: string, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type, nonRetryable: true, message, details });
}
