import type { WorkflowHandle } from '@temporalio/client';
import type { OrderActivities } from '../../src/activities/create-activities';
import type { AuditEvent, OrderState } from '../../src/domain/order-state';
import type { OrderRequest } from '../../src/domain/order-types';
import { orderLifecycleWorkflow } from '../../src/workflows';
import type { OrderWorkflowConfig } from '../../src/workflows/order-config';
import { orderStateQuery } from '../../src/workflows/order-messages';
import { queryUntil, within, type PollOptions } from '../support/poll';
import { terminateIfRunning, type WorkflowSuite } from '../support/workflow-suite';
import { orderInput, uniqueId } from './order-stubs';

export type OrderHandle = WorkflowHandle<typeof orderLifecycleWorkflow>;

/** The order workflow's config in these tests: polls between 1 s and 5 s, plus `extra`. */
export const orderConfig = (extra: Partial<OrderWorkflowConfig> = {}): Partial<OrderWorkflowConfig> => ({ pollMinMs: 1000, pollMaxMs: 5000, ...extra });

/** Starts one order on a fresh task queue and runs `body` while a worker serves it; an order left working is terminated. */
export async function withOrderWorkflow<T>(
  suite: WorkflowSuite, activities: OrderActivities, request: OrderRequest, config: Partial<OrderWorkflowConfig>, body: (handle: OrderHandle) => Promise<T>,
): Promise<T> {
  const taskQueue = uniqueId('order-tq');
  const orderId = uniqueId('order');
  return suite.runWorker({ taskQueue, activities }, async () => {
    const handle = await suite.env.client.workflow.start(orderLifecycleWorkflow, { workflowId: orderId, taskQueue, args: [orderInput(orderId, request, { config: orderConfig(config) })] });
    try {
      return await body(handle);
    } finally {
      await terminateIfRunning(handle);
    }
  });
}

/** Queries the order until `wanted` holds. */
export function waitForOrder(handle: OrderHandle, wanted: (s: OrderState) => boolean, opts: PollOptions = {}): Promise<OrderState> {
  return queryUntil(handle, orderStateQuery, wanted, { what: 'the order never reached the wanted state', ...opts });
}

export interface CrashScenario {
  /** Task queue and workflow id prefix. */
  name: string;
  request: OrderRequest;
  config?: Partial<OrderWorkflowConfig>;
  /** The first worker's activities (one of them usually never answers). */
  first: OrderActivities;
  /** Resolves once the first worker is where it should die; `dieWhat` says where that was when it never does. */
  dieWhen: (handle: OrderHandle) => Promise<void>;
  dieWhat: string;
  /** The successor's activities, made once the first worker is gone. */
  second: () => OrderActivities;
  /** Runs on the new worker before the order is awaited (an operator's decision). */
  thenOnNewWorker?: (handle: OrderHandle) => Promise<void>;
}

/**
 * Starts the order on a worker that is shut down once `dieWhen` resolves; a new worker on the same queue then runs it to
 * its end. No workflow cache on the first worker: the test server never moves a task off a dead worker's sticky queue,
 * and a worker that caches nothing hands every task to the shared queue, as a crashed process leaves it to its
 * successor. Shutting down reports a held call as failed at once, where a killed process would leave it to time out:
 * either way the workflow sees an attempt that failed transiently with its effect unknown (e2e covers the real SIGKILL).
 */
export async function crashAndTakeOver(suite: WorkflowSuite, s: CrashScenario): Promise<{ result: OrderState; handle: OrderHandle }> {
  const taskQueue = uniqueId(`${s.name}-tq`);
  const dying = await suite.startWorker({ taskQueue, activities: s.first, maxCachedWorkflows: 0, shutdownForceTime: '10s' });
  const orderId = uniqueId(s.name);
  const handle = await suite.env.client.workflow.start(orderLifecycleWorkflow, { workflowId: orderId, taskQueue, args: [orderInput(orderId, s.request, { config: orderConfig(s.config) })] });
  try {
    // Generous bounds: a worker killed inside a local activity leaves its workflow task to time out (10 s) before the
    // next worker may take it, and a loaded 2-core CI machine adds to every step. Bounds, not timings.
    await within(s.dieWhen(handle), 60_000, s.dieWhat);
    await dying.stop();
    const result = await suite.runWorker({ taskQueue, activities: s.second() }, async () => {
      await s.thenOnNewWorker?.(handle);
      return within(handle.result(), 60_000, 'the new worker did not bring the order to a final status');
    });
    return { result, handle };
  } finally {
    await dying.stop().catch(() => undefined);
    await terminateIfRunning(handle);
  }
}

/** Everything the workflow recorded reached the store, each sequence number once, with no gap left by a crash. */
export function expectCompleteAudit(state: OrderState, events: AuditEvent[]): void {
  expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: state.eventSequence }, (_, i) => i + 1));
}

export const eventsOfType = (events: AuditEvent[], type: string) => events.filter((e) => e.type === type);
