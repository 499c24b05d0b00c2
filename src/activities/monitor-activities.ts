import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { isTerminal, type OrderStatus } from '../domain/order-types';
import type { OrderGroupState } from '../domain/order-group-state';
import type { KiteGateway } from '../broker/kite-gateway';
import type { OrderStore } from '../store/order-store';
import type { PositionStore } from '../store/position-store';
import { cancelGroupUpdate, GroupFailureTypes } from '../workflows/order-group-messages';

export interface MonitorActivityDeps {
  orders: Pick<OrderStore, 'getOrder'>;
  positions: Pick<PositionStore, 'getPosition'>;
  /** The broker's account position; absent = not checked (the strategy's book alone bounds an exit). */
  brokerPositions?: Pick<KiteGateway, 'getNetPositionQuantity'>;
  /** The broker account of a strategy (several accounts): its position is read there. */
  brokerPositionsFor?: (strategyId: string) => Pick<KiteGateway, 'getNetPositionQuantity'>;
  client: Pick<Client, 'workflow'>;
}

/** Activities of the position monitor (it also uses getLastPrice of the risk activities). All are reads or idempotent. */
export function createMonitorActivities(d: MonitorActivityDeps) {
  return {
    /** The entry order as last saved: its status and filled quantity (null before its first save). */
    async readEntryOrder(args: { orderId: string }): Promise<{ status: OrderStatus; filledQuantity: number; final: boolean } | null> {
      const row = await d.orders.getOrder(args.orderId);
      if (!row) return null;
      const status = row.status as OrderStatus;
      return { status, filledQuantity: row.filledQuantity, final: isTerminal(status) };
    },

    /** The open quantity (+ long, - short) of the strategy's book and of the broker's account position (null = unknown). */
    async readOpenPosition(args: { strategyId: string; tradingsymbol: string; exchange: string; product: string }): Promise<{ strategyQuantity: number; brokerQuantity: number | null }> {
      const book = await d.positions.getPosition(args);
      const broker = d.brokerPositionsFor?.(args.strategyId) ?? d.brokerPositions;
      const brokerQuantity = broker ? await broker.getNetPositionQuantity(args) : null;
      return { strategyQuantity: book?.quantity ?? 0, brokerQuantity };
    },

    /** Cancels an OCO group's live legs (cancelGroupUpdate); a group that has already ended counts as done. */
    async cancelOrderGroup(args: { groupId: string; reason: string }): Promise<{ status: OrderGroupState['status'] | 'NOT_FOUND' }> {
      try {
        const state = await d.client.workflow.getHandle(args.groupId).executeUpdate(cancelGroupUpdate, { args: [{ reason: args.reason }] });
        return { status: state.status };
      } catch (err) {
        const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
        if (cause instanceof ApplicationFailure && cause.type === GroupFailureTypes.groupNotCancellable) return { status: 'CANCELLED' };
        if (err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed/i.test(err.message))) return { status: 'NOT_FOUND' };
        throw err;
      }
    },
  };
}

export type MonitorActivities = ReturnType<typeof createMonitorActivities>;
