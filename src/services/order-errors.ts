import {
  isGrpcDeadlineError, isGrpcServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureTypes } from '../workflows/order-messages';
import { AppError, conflict, unprocessable } from './app-errors';
import type { viewFromRow, viewFromState } from './order-view';

/** How OrderService reads Temporal's failures: which are a missed deadline, a race to retry, or an answer to map to HTTP. */

/**
 * The server could not run an update-with-start as a whole (FAILED_PRECONDITION, "Update-with-Start could not be
 * executed"), seen once in the 500-order burst for a re-sent POST: most likely its workflow completed between the start
 * (which joined it, running) and the update. Asking again is safe: the admission update is idempotent.
 */
export function isUpdateWithStartRace(err: unknown): boolean {
  return isGrpcServiceError(err) && err.code === FAILED_PRECONDITION && /update-with-start could not be executed/i.test(err.details ?? err.message);
}
const FAILED_PRECONDITION = 9;

/**
 * A state query no worker answered in time: the deadline, or (seen in the fault run, under worker kills) the server
 * ending the call as CANCELLED when the deadline passes on its side first.
 */
const GRPC_CANCELLED = 1;
export const isQueryUnanswered = (err: unknown) =>
  isGrpcDeadlineError(err) || (isGrpcServiceError(err) && err.code === GRPC_CANCELLED)
  || (err instanceof Error && isGrpcServiceError(err.cause) && (err.cause.code === GRPC_CANCELLED || isGrpcDeadlineError(err.cause)));

export const isAdmissionDeadline = (err: unknown) => err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err);

/** Failure codes the API answers with as they are; every other failed check answers RISK_REJECTED. */
const OWN_CODES = new Set(['FREEZE_QTY', 'SPLIT_LIMIT', 'STALE_MARKET_DATA', 'KILL_SWITCH', 'SLM_NOT_ALLOWED_FOR_OPTIONS']);

type Failure = { check: string; code?: string; message?: string; values?: unknown; limit?: unknown; category?: string };

/** A 422 naming the failed check, its reason code, the human reason and the numbers compared. */
export function riskRefusal(failure: Failure, extra: Record<string, unknown> = {}): AppError {
  const code = failure.code && OWN_CODES.has(failure.code) ? failure.code : 'RISK_REJECTED';
  const reason = failure.message ?? 'check failed';
  return unprocessable(code, `${failure.check}: ${reason}`, {
    check: failure.check, category: failure.category, reasonCode: failure.code, reason, values: failure.values, limit: failure.limit, ...extra,
  });
}

export function rejection(order: ReturnType<typeof viewFromState> | ReturnType<typeof viewFromRow>): AppError {
  const failure = (order.validation as { failure?: Failure } | null)?.failure;
  if (!failure) return unprocessable('ORDER_REJECTED', order.statusMessage ?? 'order rejected', { order });
  return riskRefusal(failure, { order });
}

export function mapUpdateError(err: unknown): unknown {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    switch (cause.type) {
      case FailureTypes.idempotencyConflict: return conflict('IDEMPOTENCY_CONFLICT', cause.message);
      case FailureTypes.orderNotChangeable: return conflict('ORDER_NOT_CHANGEABLE', cause.message);
      case FailureTypes.invalidChange: {
        const d = cause.details?.[0] as { code?: string; field?: string } | undefined;
        return unprocessable(d?.code ?? 'INVALID_CHANGE', cause.message, { field: d?.field });
      }
      case FailureTypes.brokerRejected: return conflict('BROKER_REJECTED', cause.message);
      case FailureTypes.noInterventionPending: return conflict('NO_INTERVENTION_PENDING', cause.message);
      case FailureTypes.brokerUnavailable: return new AppError(503, 'BROKER_UNAVAILABLE', cause.message);
      case FailureTypes.riskRejected: {
        const failure = cause.details?.[0] as Failure | undefined;
        return failure ? riskRefusal(failure) : unprocessable('RISK_REJECTED', cause.message);
      }
    }
  }
  if (err instanceof Error && /already completed|workflow execution already completed/i.test(err.message)) {
    return conflict('ORDER_NOT_CHANGEABLE', 'the order has finished; it can no longer be changed');
  }
  return err;
}
