import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GroupAnswer, OrderGroupState } from '../domain/order-group-state';
import type { GroupRequest } from '../domain/order-group-legs';
import type { OrderWorkflowConfig } from './order-config';

/** The OCO/bracket group workflow's input, query and update, declared once. */
export interface OrderGroupInput {
  groupId: string;
  request: GroupRequest;
  payloadHash: string;
  receivedAt: string;
  /** Passed on to every leg's order workflow. */
  config?: Partial<OrderWorkflowConfig>;
  /** How many reduce-only flatten orders the group may place before it gives up and ends ENDED_OPEN. Default 3. */
  maxFlattens?: number;
}

export const groupStateQuery = defineQuery<OrderGroupState>('groupStateQuery');

export interface CancelGroupRequest { reason?: string }
/** Cancels every live leg; answers once every leg has been asked (each leg confirms with the broker on its own). */
export const cancelGroupUpdate = defineUpdate<GroupAnswer, [CancelGroupRequest]>('cancelGroupUpdate');

export const GroupFailureTypes = {
  /** A cancel for a group that has finished, or is already being cancelled. */
  groupNotCancellable: 'GROUP_NOT_CANCELLABLE',
} as const;
