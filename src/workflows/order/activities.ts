import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../../activities/create-activities';

/**
 * The order workflow's activity proxies.
 *
 * Reads and saves are local activities: they run in the worker that runs the workflow task, so admission (instrument,
 * risk gate, save) happens in the order's first workflow task without a server round trip between the steps, and the
 * history records one marker per call instead of three events and another workflow task (and not the call's input:
 * the saved state stays out of the history). A local activity runs again from attempt 1 when its worker dies before
 * the task completes; each of these is safe to run twice.
 *
 * Requests that change something at the broker (place, modify, cancel) stay regular activities: Temporal records
 * their attempts, so a retry after a crash knows an earlier attempt may have reached the broker and looks first.
 * Broker calls that the workflow retries itself (by the configured strategy, see broker-calls.ts) run once per attempt.
 */

/** Instrument lookup and the search by tag: retried by the SDK until the broker answers. */
export const broker = proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
});

/** Reads the workflow retries itself, one attempt each. */
export const readOnce = proxyLocalActivities<OrderActivities>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } });

/** Modify and cancel, one attempt each: the workflow retries them by the configured strategy and records every retry. */
export const once = proxyActivities<OrderActivities>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } });

/** Placing waits out the broker rate-limit queue of a burst; the activity never sends after its own deadline. */
export const placingOnce = proxyActivities<OrderActivities>({ startToCloseTimeout: '60s', retry: { maximumAttempts: 1 } });

export const store = proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** The risk gate reads market data, margins and the account's book; past this budget the order is rejected (fail closed). */
export const gate = proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s' },
});
