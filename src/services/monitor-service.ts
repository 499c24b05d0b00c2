import { monitorSummary } from '../domain/order-summary';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { monitorIdFor, type MonitorPolicy, type PositionMonitorState } from '../domain/position-monitor';
import type { OrderRequest } from '../domain/order-types';
import type { positionMonitorWorkflow } from '../workflows';
import type { OrderWorkflowConfig } from '../workflows/order-config';
import { cancelMonitorUpdate, MonitorFailureTypes, positionMonitorQuery } from '../workflows/position-monitor-messages';
import { OrderClientId, OrderParent, OrderStatus, OrderStrategyId, OrderSymbol } from '../workflows/search-attributes';
import { conflict, notFound } from './app-errors';

export interface MonitorServiceDeps {
  client: Client;
  taskQueue: string;
  /** The policy for an order (config/monitor.json; in paper mode with the paper session's square-off), or null when it gets no monitor. */
  policyFor: (order: OrderRequest) => MonitorPolicy | null | Promise<MonitorPolicy | null>;
  workflowConfig?: Partial<OrderWorkflowConfig>;
  now?: () => Date;
}

/** Starts one positionMonitorWorkflow per entry order that needs one; reads and cancels monitors. */
export class MonitorService {
  constructor(private readonly d: MonitorServiceDeps) {}

  /**
   * Starts the entry's monitor (id monitor-<clientOrderId>) unless the order needs none; idempotent: a repeated POST of
   * the same order finds the monitor that is running or has ended. Returns the monitor id, or null.
   */
  async startFor(orderId: string, entry: OrderRequest): Promise<string | null> {
    const policy = await this.d.policyFor(entry);
    if (!policy) return null;
    const monitorId = monitorIdFor(entry.clientOrderId);
    try {
      await this.d.client.workflow.start<typeof positionMonitorWorkflow>('positionMonitorWorkflow', {
        workflowId: monitorId, taskQueue: this.d.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ monitorId, entryOrderId: orderId, entry, policy, receivedAt: (this.d.now?.() ?? new Date()).toISOString(), config: this.d.workflowConfig }],
        typedSearchAttributes: [
          { key: OrderClientId, value: entry.clientOrderId }, { key: OrderSymbol, value: entry.tradingsymbol },
          { key: OrderStrategyId, value: entry.strategyId }, { key: OrderStatus, value: 'MONITORING' }, { key: OrderParent, value: orderId },
        ],
        staticSummary: monitorSummary(entry, orderId),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    return monitorId;
  }

  /** The monitor's state, from its workflow (running or closed, while Temporal keeps its history). */
  async getMonitor(monitorId: string): Promise<PositionMonitorState> {
    try {
      return await this.d.client.workflow.getHandle(monitorId).query(positionMonitorQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`monitor ${monitorId}`);
      throw err;
    }
  }

  /** Stops a monitor: its OCO legs are cancelled, the position stays open. 409 once it has ended or while it closes. */
  async cancelMonitor(monitorId: string, reason?: string): Promise<PositionMonitorState> {
    try {
      // Its answer is the compact one the CLI prints; the API answers the whole monitor, read after it.
      await this.d.client.workflow.getHandle(monitorId).executeUpdate(cancelMonitorUpdate, { args: [{ reason }] });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
      if (cause instanceof ApplicationFailure && cause.type === MonitorFailureTypes.monitorNotCancellable) throw conflict('MONITOR_NOT_CANCELLABLE', cause.message);
      if (err instanceof WorkflowNotFoundError) throw notFound(`monitor ${monitorId}`);
      if (err instanceof Error && /already completed/i.test(err.message)) throw conflict('MONITOR_NOT_CANCELLABLE', `monitor ${monitorId} has ended`);
      throw err;
    }
    return this.getMonitor(monitorId);
  }
}
