import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { MonitorAnswer, MonitorPolicy, PositionMonitorState } from '../domain/position-monitor';
import type { OrderRequest } from '../domain/order-types';
import type { OrderWorkflowConfig } from './order-config';

/** The position monitor's input, query and update, declared once. */
export interface PositionMonitorInput {
  monitorId: string;
  /** The entry order's workflow id (order-<clientOrderId>); the monitor reads it until it is final. */
  entryOrderId: string;
  entry: OrderRequest;
  policy: MonitorPolicy;
  receivedAt: string;
  /** Passed on to the exit orders and the OCO group's legs. */
  config?: Partial<OrderWorkflowConfig>;
  /** Continue-as-new history cap (default 5000 events). */
  maxHistoryEvents?: number;
  /** Set by continue-as-new. */
  resume?: PositionMonitorState;
}

export const positionMonitorQuery = defineQuery<PositionMonitorState>('positionMonitorQuery');

export interface CancelMonitorRequest { reason?: string }
/** Stops the monitor: its OCO legs (if any) are cancelled, the position is left as it is. Answers once it has ended. */
export const cancelMonitorUpdate = defineUpdate<MonitorAnswer, [CancelMonitorRequest]>('cancelMonitorUpdate');

export const MonitorFailureTypes = {
  /** A cancel for a monitor that has ended, is closing, or is already being cancelled. */
  monitorNotCancellable: 'MONITOR_NOT_CANCELLABLE',
} as const;
