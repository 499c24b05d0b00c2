import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../../activities/create-activities';

/**
 * The order workflow's activity proxies. Broker calls that the workflow retries itself (by the configured strategy,
 * see broker-calls.ts) run once per attempt; the rest retry in the SDK.
 */

/** Instrument lookup and the search by tag: retried by the SDK until the broker answers. */
export const broker = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
});

/** One attempt each: the workflow retries them by the configured strategy and records every retry. */
export const once = proxyActivities<OrderActivities>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } });

/** Placing waits out the broker rate-limit queue of a burst; the activity never sends after its own deadline. */
export const placingOnce = proxyActivities<OrderActivities>({ startToCloseTimeout: '60s', retry: { maximumAttempts: 1 } });

export const store = proxyActivities<OrderActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** The risk gate reads market data, margins and the account's book; past this budget the order is rejected (fail closed). */
export const gate = proxyActivities<OrderActivities>({
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s' },
});
