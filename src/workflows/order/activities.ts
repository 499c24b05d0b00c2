import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../../activities/create-activities';

/** What each activity does, as the Temporal UI shows it on the activity's row (its user metadata). */
const SUMMARIES: Record<keyof OrderActivities, string> = {
  admitOrder: 'admit: instrument, checks, risk gate, first save',
  lookupInstrument: 'look up the instrument',
  assessOrderRisk: 'risk gate',
  assessModificationRisk: 'risk gate on the new terms',
  getLastPrice: 'read the last price',
  submitOrderToBroker: 'place at the broker',
  findBrokerOrderByTag: 'find the order at the broker by its tag',
  fetchBrokerOrder: 'read the order at the broker',
  modifyBrokerOrder: 'modify at the broker',
  cancelBrokerOrder: 'cancel at the broker',
  saveOrderProgress: 'save to Postgres',
};

type Callable = ((...args: unknown[]) => Promise<unknown>) & { executeWithOptions(options: { summary: string }, args: unknown[]): Promise<unknown> };

/** The proxy with each call carrying its activity's summary. */
function summarised<T extends object>(proxy: T): T {
  return new Proxy(proxy, {
    get(target, name) {
      const fn = (target as Record<string | symbol, Callable>)[name];
      const summary = typeof name === 'string' ? SUMMARIES[name as keyof OrderActivities] : undefined;
      return summary ? (...args: unknown[]) => fn.executeWithOptions({ summary }, args) : fn;
    },
  });
}

/**
 * The order workflow's activity proxies.
 *
 * Admission (the instrument lookup, the risk gate and the first save) runs as local activities: they run in the worker
 * that runs the workflow task, so an order is validated, risk-checked and saved in its first workflow task without a
 * server round trip between the steps, and the history records one marker per call (not the saved state). A local
 * activity runs again from attempt 1 when its worker dies before the task completes; each of these is idempotent.
 *
 * The first placement attempt is local too (admissionPlacing, guarded by a send ticket). Everything after admission is
 * a regular activity: place retries, modify and cancel (Temporal records their attempts, so a retry after a crash
 * knows an earlier attempt may have reached the broker and looks first), and the reads of an order
 * that follows the broker. A placement and a read save the order with their outcome (recordOutcome), so they need no
 * save activity after them. Local activities there were measured too, and met an SDK fault: under a
 * stream of broker signals a local broker read resolved with `undefined` now and then (a workflow task failure), so
 * they stay in the first workflow task, which no signal interrupts: a signal that comes in while it runs is delivered
 * in the next task. Broker calls the workflow retries itself run once per attempt (broker-calls.ts).
 */

/** Admission: the instrument lookup (retried by the SDK until the broker answers). */
export const admissionBroker = summarised(proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
}));

/** The risk gate reads market data, margins and the book; past this budget the order is rejected (fail closed). */
const GATE_BUDGET = {
  startToCloseTimeout: '45s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s' },
} as const;

/** Admission: the risk gate on the new order. */
export const admissionGate = summarised(proxyLocalActivities<OrderActivities>(GATE_BUDGET));

/**
 * Regular activities heartbeat while they run (src/worker/heartbeats.ts): one whose worker was killed is run again
 * after this long, not after its whole budget, so an order moves again within about ten seconds.
 */
const HEARTBEAT = { heartbeatTimeout: '6s' } as const;

/** Admission: the save that makes the order durable in Postgres before it is placed. */
export const admissionStore = summarised(proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
}));

/**
 * Admission: the first attempt to place a new order, in the admission's workflow task, so the order reaches the broker
 * without a server round trip after the risk gate. A local activity that dies with its worker runs again from attempt
 * 1, so exactly-once rests on the activity's send ticket (Postgres): a run that finds it taken looks the tag up first.
 * One attempt: the workflow retries a failed placement itself, as a regular activity that looks first.
 */
export const admissionPlacing = summarised(proxyLocalActivities<OrderActivities>({ startToCloseTimeout: '60s', retry: { maximumAttempts: 1 } }));

/** The search by tag after a placement's retries are spent: past this budget the order waits for an operator. */
export const finding = summarised(proxyActivities<OrderActivities>({
  ...HEARTBEAT,
  startToCloseTimeout: '15s',
  scheduleToCloseTimeout: '3m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s' },
}));

/** One attempt each: the workflow retries them by the configured strategy and records every retry. */
export const once = summarised(proxyActivities<OrderActivities>({ ...HEARTBEAT, startToCloseTimeout: '15s', retry: { maximumAttempts: 1 } }));

/** Placing waits out the broker rate-limit queue of a burst; the activity never sends after its own deadline. */
export const placingOnce = summarised(proxyActivities<OrderActivities>({ ...HEARTBEAT, startToCloseTimeout: '60s', retry: { maximumAttempts: 1 } }));

export const store = summarised(proxyActivities<OrderActivities>({
  ...HEARTBEAT,
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
}));

/** Risk checks of modifications and chase rungs, and the last price. */
export const gate = summarised(proxyActivities<OrderActivities>({ ...HEARTBEAT, ...GATE_BUDGET }));
