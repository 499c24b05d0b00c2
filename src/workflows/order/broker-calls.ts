import { sleep } from '@temporalio/workflow';
import { spoken } from '../timers';
import { retryDelayMs, strategyFor, type BrokerOperation } from '../../domain/retry-strategy';
import { ABANDONED, failureMessage, failureType, inDoubtWaitMs, isTokenExpired, isTransient } from './failures';
import { pauseFor } from './interventions';
import type { OrderRun } from './order-run';

/**
 * A broker call that pauses the order for an operator when the Kite session has expired (instead of retrying in
 * vain or failing): it goes on once the operator resumes — after supplying a fresh token — or ends it on abandon.
 */
export async function brokerCall<T>(run: OrderRun, what: string, call: () => Promise<T>): Promise<T | typeof ABANDONED> {
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!isTokenExpired(err)) throw err;
      if ((await pauseFor(run, 'TOKEN_EXPIRED', `${what}: ${failureMessage(err)}`)).action === 'abandon') return ABANDONED;
    }
  }
}

/** Retries a transiently failing broker call by the operation's configured strategy; the last failure is rethrown. */
export async function withRetry<T>(run: OrderRun, operation: BrokerOperation, call: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (err) {
      if (!isTransient(err)) throw err;
      const doubtMs = inDoubtWaitMs(err);
      if (doubtMs !== null) {
        // Nothing was sent: wait out the earlier attempt; this is not a failed attempt, so it costs none of the budget.
        run.apply({ type: 'PLACEMENT_IN_DOUBT', waitMs: doubtMs, message: failureMessage(err), at: run.now() });
        run.markAdmitted(); // the POST answers now (202, PENDING): the client follows the order instead of waiting
        await sleep(doubtMs, { summary: `wait ${spoken(doubtMs)}: an earlier attempt may still reach the broker` });
        attempt--;
        continue;
      }
      const delayMs = retryDelayMs(strategyFor(run.retry, run.cfg.retryByError, operation, failureType(err), failureMessage(err)), attempt);
      if (delayMs === null) throw err;
      run.apply({ type: 'RETRY_SCHEDULED', operation, attempt, delayMs, error: failureMessage(err), at: run.now() });
      // The order waits: its status is visible while it does, and a POST still waiting for the first placement answers
      // now (202, PENDING, the retry in its history) rather than after every retry.
      if (operation === 'place') run.markAdmitted();
      else run.publishStatus();
      if (delayMs > 0) await sleep(delayMs, { summary: `retry ${operation} in ${spoken(delayMs)} (attempt ${attempt + 1})` });
    }
  }
}
