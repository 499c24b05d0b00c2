import { groupSummary } from '../domain/order-summary';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { payloadHash } from '../domain/hash';
import { groupIdFor, type GroupRequest } from '../domain/order-group-legs';
import type { OrderGroupStore } from '../store/order-group-store';
import type { orderGroupWorkflow } from '../workflows';
import type { OrderWorkflowConfig } from '../workflows/order-config';
import { cancelGroupUpdate, GroupFailureTypes, groupStateQuery } from '../workflows/order-group-messages';
import { OrderClientId, OrderStatus, OrderStrategyId, OrderSymbol } from '../workflows/search-attributes';
import { conflict, notFound } from './app-errors';
import { refuseUnprotectiveOcoWhileHalted, type HaltGuardDeps } from './halt-guard';
import { groupView, stateFromRow, type GroupView } from './group-view';

export interface GroupServiceDeps {
  client: Client;
  groups: Pick<OrderGroupStore, 'getGroup' | 'findGroupByClientOrderId' | 'findStrategyOfGroup'>;
  taskQueue: string;
  workflowConfig?: Partial<OrderWorkflowConfig>;
  /** While the kill switch is engaged, refuses an OCO that would not protect a held position (its legs skip the gate). */
  halt?: HaltGuardDeps;
  now?: () => Date;
}

/** Use cases behind /api/v1/groups: one orderGroupWorkflow per group while it runs, the order_groups row after. */
export class GroupService {
  constructor(private readonly d: GroupServiceDeps) {}

  /** Starts the group's workflow (or finds it: the client order id is the idempotency key). */
  async placeGroup(request: GroupRequest): Promise<{ created: boolean; group: GroupView }> {
    if (this.d.halt) await refuseUnprotectiveOcoWhileHalted(this.d.halt, request);
    const groupId = groupIdFor(request.clientOrderId);
    const hash = payloadHash(request);
    const receivedAt = (this.d.now?.() ?? new Date()).toISOString();
    let handle;
    try {
      handle = await this.d.client.workflow.start<typeof orderGroupWorkflow>('orderGroupWorkflow', {
        workflowId: groupId, taskQueue: this.d.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [{ groupId, request, payloadHash: hash, receivedAt, config: this.d.workflowConfig }],
        typedSearchAttributes: [
          { key: OrderClientId, value: request.clientOrderId }, { key: OrderSymbol, value: request.tradingsymbol },
          { key: OrderStrategyId, value: request.strategyId }, { key: OrderStatus, value: 'ACTIVE' },
        ],
        staticSummary: groupSummary(request),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      const row = await this.d.groups.findGroupByClientOrderId(request.clientOrderId);
      if (!row || row.payloadHash !== hash) throw idempotencyConflict(request.clientOrderId);
      return { created: false, group: await this.getGroup(row.id) };
    }
    const state = await handle.query(groupStateQuery);
    if (state.payloadHash !== hash) throw idempotencyConflict(request.clientOrderId);
    // A workflow that was already running carries the receivedAt of the request that started it.
    return { created: state.createdAt === receivedAt, group: groupView(state, 'workflow') };
  }

  /** From the workflow while it runs, from Postgres once it is done. */
  async getGroup(groupId: string): Promise<GroupView> {
    const row = await this.d.groups.getGroup(groupId);
    if (row && row.status !== 'ACTIVE') return groupView(stateFromRow(row), 'database');
    try {
      return groupView(await this.d.client.workflow.getHandle(groupId).query(groupStateQuery), 'workflow');
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      if (row) return groupView(stateFromRow(row), 'database');
      throw notFound(`group ${groupId}`);
    }
  }

  /** The strategy a group belongs to; null when there is no such group. */
  async strategyOf(groupId: string): Promise<string | null> {
    const stored = await this.d.groups.findStrategyOfGroup(groupId);
    if (stored) return stored;
    try {
      return (await this.d.client.workflow.getHandle(groupId).query(groupStateQuery)).request.strategyId;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  }

  /**
   * Cancels whatever legs are live; answers once each has been asked (the legs confirm with the broker on their own),
   * with the whole group read after the update (its own answer is the compact one the CLI prints).
   */
  async cancelGroup(groupId: string, reason?: string): Promise<GroupView> {
    try {
      await this.d.client.workflow.getHandle(groupId).executeUpdate(cancelGroupUpdate, { args: [{ reason }] });
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
      if (cause instanceof ApplicationFailure && cause.type === GroupFailureTypes.groupNotCancellable) throw conflict('GROUP_NOT_CANCELLABLE', cause.message);
      // The workflow may be gone, or may finish while the update is on its way (the server then aborts the update):
      // whatever the failure, a group the database records as ended is simply no longer cancellable.
      const row = await this.d.groups.getGroup(groupId);
      if (!row && err instanceof WorkflowNotFoundError) throw notFound(`group ${groupId}`);
      if (row && row.status !== 'ACTIVE') throw conflict('GROUP_NOT_CANCELLABLE', `group ${groupId} is ${row.status}; it can no longer be cancelled`);
      throw err;
    }
    return this.getGroup(groupId);
  }
}

const idempotencyConflict = (cid: string) => conflict('IDEMPOTENCY_CONFLICT', `client order id ${cid} was already used for a different group`);
