import { createHash, timingSafeEqual } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { brokerTagFor, payloadHash } from '../domain/hash';
import type { FallbackOverride } from '../domain/fallback';
import { isTerminal, type OrderRequest, type OrderStatus } from '../domain/order-types';
import { initialOrderState, type OrderState } from '../domain/order-state';
import type { OrderStore, OrderListFilter } from '../store/order-store';
import type { orderLifecycleWorkflow } from '../workflows';
import {
  admissionUpdate, brokerUpdateSignal, cancelOrderUpdate, interventionUpdate, modifyOrderUpdate, orderStateQuery,
  type BrokerUpdate, type InterventionRequest, type ModifyRequest,
} from '../workflows/order-messages';
import { sparseConfig, type OrderWorkflowConfig } from '../workflows/order-config';
import { OrderClientId, OrderStatus as OrderStatusKey, OrderStrategyId, OrderSymbol } from '../workflows/search-attributes';
import type { HintLedger } from './hint-ledger';
import { AdmissionControl } from './admission-control';
import { AppError, conflict, notFound, retryLater } from './app-errors';
import { isAdmissionDeadline, isQueryUnanswered, isUpdateWithStartRace, mapUpdateError, rejection } from './order-errors';
import { outageOf } from './outages';
import { viewFromRow, viewFromState } from './order-view';
import { orderSummary } from '../domain/order-summary';

export interface OrderServiceDeps {
  client: Client;
  store: Pick<OrderStore, 'getOrder' | 'listOrders' | 'findByTag' | 'findByBrokerOrderId' | 'findByClientOrderId' | 'findStrategyOf' | 'listWaitingForOperator' | 'findRiskReports'>;
  taskQueue: string;
  apiSecret: string;
  /** The broker account a strategy trades through (shown on each order). */
  accountOf?: (strategyId: string) => string;
  /** The other broker accounts' API secrets: a postback signed by any configured account is genuine. */
  otherApiSecrets?: readonly string[];
  workflowConfig?: Partial<OrderWorkflowConfig>;
  /** The ladder for a strategy with an order's fallback override on top (config/execution.json). */
  ladderFor?: (strategyId: string, order?: FallbackOverride) => Partial<OrderWorkflowConfig>;
  now?: () => Date;
  /** Starts the position monitor of an accepted order that needs one (take profit / stop loss, MIS, timeout). */
  monitors?: { startFor(orderId: string, request: OrderRequest): Promise<string | null> };
  /** Refuses new orders past its in-flight limit and bounds how long a POST waits (default limits when absent). */
  admission?: AdmissionControl;
  /** What this process already signalled to which broker order (shared by the postback route, the WebSocket stream and the book watcher). */
  hints?: HintLedger;
  /**
   * Whether the broker session of the strategy's account is known to have expired (KiteGateway.sessionExpired), or
   * its broker does not answer: new orders are refused then.
   */
  brokerSession?: { sessionExpired(strategyId: string): Promise<boolean>; brokerUnreachable(strategyId: string): Promise<boolean> };
}

/**
 * A modify, cancel or intervention waits this long for the order's answer (the broker's confirmation included); past it
 * the API answers 503 ORDER_BUSY instead of holding the caller (no worker running, a slow broker). Sending it again is
 * safe: a repeated cancel answers the cancelled order, a repeated modify finds its terms in place.
 */
const COMMAND_DEADLINE_MS = 20_000;

/** A GET of a live order asks its workflow; past this, it answers from Postgres (or 503) instead of waiting. */
const QUERY_DEADLINE_MS = 2000;

const stateUnavailable = (orderId: string) =>
  retryLater(503, 'ORDER_STATE_UNAVAILABLE', `order ${orderId} is being admitted and no worker answered within ${QUERY_DEADLINE_MS} ms; ask again shortly`, 1);

export type OrderView = ReturnType<typeof viewFromState> | ReturnType<typeof viewFromRow>;

export const orderIdFor = (clientOrderId: string) => `order-${clientOrderId}`;

/** Use cases behind the HTTP routes: Temporal for live orders, the store for history. */
export class OrderService {
  private readonly admission: AdmissionControl;

  constructor(private readonly d: OrderServiceDeps) {
    this.admission = d.admission ?? new AdmissionControl();
  }

  /**
   * Starts (or finds) the order's workflow and waits until it is admitted and its first placement has an outcome.
   * `requestId`: the HTTP request that asked, kept in the memo of the workflow it starts (the request log names it).
   */
  async placeOrder(request: OrderRequest, context: { requestId?: string } = {}): Promise<{ created: boolean; order: OrderView }> {
    if (await this.d.brokerSession?.sessionExpired(request.strategyId)) {
      throw retryLater(503, 'BROKER_SESSION_EXPIRED', 'the Kite session has expired (the daily login is due) and no fresh access token was supplied; nothing was started. Send the order again once an operator has supplied one (docs/live-trading.md)', 30);
    }
    if (await this.d.brokerSession?.brokerUnreachable(request.strategyId)) {
      throw retryLater(503, 'BROKER_UNAVAILABLE', 'the broker does not answer (network, timeouts or 5xx since its last answer); nothing was started. Send the order again shortly', 5);
    }
    const orderId = orderIdFor(request.clientOrderId);
    const hash = payloadHash(request);
    for (let ask = 1; ; ask++) {
      try {
        const result = await this.admit(orderId, request, hash, context.requestId);
        const order = await this.view(result.state);
        if (!result.accepted) throw rejection(order);
        await this.d.monitors?.startFor(orderId, request);
        return { created: true, order };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return this.replayOfFinished(request, hash);
        // The server could not run start and update together (most likely the workflow ended in between): ask once
        // more; the start then finds it closed (WorkflowExecutionAlreadyStartedError above) or the update runs.
        if (isUpdateWithStartRace(err)) {
          if (ask < 3) continue;
          throw retryLater(503, 'ADMISSION_TIMEOUT', `order ${orderId} changed while it was being admitted; send the same request again (same clientOrderId) to learn its outcome`, 1);
        }
        if (err instanceof AppError && err.code === 'ADMISSION_TIMEOUT') {
          const received = await this.receivedIfStarted(orderId, request, hash);
          if (received) return { created: true, order: received };
        }
        throw mapUpdateError(err);
      }
    }
  }

  /**
   * The admission missed its deadline (no worker, or a busy one): when the order's workflow exists, the order is
   * durable and proceeds once a worker runs it, so the POST answers 202 RECEIVED; the client follows it by GET.
   */
  private async receivedIfStarted(orderId: string, request: OrderRequest, hash: string): Promise<OrderView | null> {
    try {
      const d = await this.d.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => this.d.client.workflow.getHandle(orderId).describe());
      if (d.status.name !== 'RUNNING') return null;
      const at = d.startTime.toISOString();
      const state = initialOrderState({ orderId, tag: brokerTagFor(orderId), payloadHash: hash, request, at });
      return { ...viewFromState(state, undefined, this.d.accountOf?.(state.request.strategyId)), statusMessage: 'received: the order is durable and waits for a worker to admit it; follow it with GET' };
    } catch {
      return null; // not there, or Temporal cannot say: the 503 stands
    }
  }

  /** Update-with-start of the order's workflow (a new one, or the running one), answered once the order is admitted. */
  private admit(orderId: string, request: OrderRequest, hash: string, requestId?: string) {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof orderLifecycleWorkflow>('orderLifecycleWorkflow', {
      workflowId: orderId, taskQueue: this.d.taskQueue, workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{
        orderId, request, payloadHash: hash, receivedAt: (this.d.now?.() ?? new Date()).toISOString(),
        config: sparseConfig({ ...this.d.workflowConfig, ...this.d.ladderFor?.(request.strategyId, request.execution?.fallback) }),
      }],
      typedSearchAttributes: [
        { key: OrderClientId, value: request.clientOrderId }, { key: OrderSymbol, value: request.tradingsymbol },
        { key: OrderStrategyId, value: request.strategyId }, { key: OrderStatusKey, value: 'RECEIVED' },
      ],
      staticSummary: orderSummary(request),
      // Only a new start takes it: the request that created the workflow is the one its memo names.
      ...(requestId ? { memo: { requestId } } : {}),
    });
    return this.admission.run((deadline) => this.d.client.connection.withDeadline(deadline, () => (
      this.d.client.workflow.executeUpdateWithStart(admissionUpdate, { args: [{ payloadHash: hash }], startWorkflowOperation })
    )), isAdmissionDeadline);
  }

  /** The workflow is closed: the same payload gets the stored order back, a different one a 409. */
  private async replayOfFinished(request: OrderRequest, hash: string): Promise<{ created: boolean; order: OrderView }> {
    const { clientOrderId } = request;
    const row = await this.d.store.findByClientOrderId(clientOrderId);
    if (!row) throw conflict('IDEMPOTENCY_CONFLICT', `client order id ${clientOrderId} was already used`);
    if (row.payloadHash !== hash) throw conflict('IDEMPOTENCY_CONFLICT', `client order id ${clientOrderId} was already used for a different order`);
    const order = await this.getOrder(row.id);
    if (order.status === 'REJECTED' && order.validation && !(order.validation as { passed?: boolean }).passed) throw rejection(order);
    // A first POST that crashed between admission and the monitor's start gets its monitor now (a no-op otherwise).
    if (order.status !== 'REJECTED') await this.d.monitors?.startFor(row.id, request);
    return { created: false, order };
  }

  /** From the workflow while it runs, from Postgres once it is done. */
  async getOrder(orderId: string): Promise<OrderView> {
    // Postgres down: a running order still answers from its workflow; anything else is a 503 naming the database.
    let dbDown: unknown = null;
    const row = await this.d.store.getOrder(orderId).catch((err: unknown) => {
      if (!outageOf(err)) throw err;
      dbDown = err;
      return null;
    });
    if (row && isTerminal(row.status as OrderStatus)) return viewFromRow(row);
    try {
      const state = await this.liveState(orderId);
      return viewFromState(state, row ? { validation: row.validationResult, modificationRisk: row.modificationRisk } : undefined, row?.account ?? this.d.accountOf?.(state.request.strategyId));
    } catch (err) {
      if (dbDown) throw dbDown;
      if (err instanceof WorkflowNotFoundError) {
        if (row) return viewFromRow(row);
        throw notFound(`order ${orderId}`);
      }
      // No worker answered in time (down, or busy): the last saved row, or a 503 to ask again.
      if (row) return viewFromRow(row);
      if (isQueryUnanswered(err)) throw stateUnavailable(orderId);
      throw err;
    }
  }

  /** A workflow's state as the API shows it, with the full risk report the gate stored (the workflow has a compact one). */
  private async view(state: OrderState): Promise<OrderView> {
    // An update's answer carries no risk report (answerOf), a state a compact one: the full reports are in Postgres.
    return viewFromState(state, await this.d.store.findRiskReports(state.orderId), this.d.accountOf?.(state.request.strategyId));
  }

  /** The running workflow's state, or a deadline error when no worker answers within QUERY_DEADLINE_MS. */
  private liveState(orderId: string) {
    return this.d.client.connection.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => this.d.client.workflow.getHandle(orderId).query(orderStateQuery));
  }

  /** The strategy an order belongs to (Postgres, or the workflow before its first save); null when there is no such order. */
  async strategyOf(orderId: string): Promise<string | null> {
    const stored = await this.d.store.findStrategyOf(orderId);
    if (stored) return stored;
    try {
      return (await this.liveState(orderId)).request.strategyId;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      if (isQueryUnanswered(err)) throw stateUnavailable(orderId);
      throw err;
    }
  }

  async listOrders(filter: OrderListFilter) {
    const { orders, nextCursor } = await this.d.store.listOrders(filter);
    return { orders: orders.map(viewFromRow), nextCursor };
  }

  /** A Temporal update: validated against the order's current state, answered once the broker confirms. */
  async modifyOrder(orderId: string, changes: ModifyRequest, by?: string): Promise<OrderView> {
    return this.update(orderId, () => this.d.client.workflow.getHandle(orderId).executeUpdate(modifyOrderUpdate, { args: [{ ...changes, ...(by ? { by } : {}) }] }));
  }

  /**
   * Cancels a working order. A cancel of an order that waits for an operator is queued and answered at once (the view
   * shows the intervention); a cancel of an order already CANCELLED answers that order (a DELETE sent again is no error).
   */
  async cancelOrder(orderId: string, reason?: string, by?: string): Promise<OrderView> {
    try {
      return await this.update(orderId, () => this.d.client.workflow.getHandle(orderId).executeUpdate(cancelOrderUpdate, { args: [{ reason, ...(by ? { by } : {}) }] }));
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'ORDER_NOT_CHANGEABLE')) throw err;
      const current = await this.getOrder(orderId);
      if (current.status === 'CANCELLED') return current;
      throw err;
    }
  }

  /** An operator's decision for an order waiting for one; answers once the workflow has acted on it. */
  async intervene(orderId: string, req: InterventionRequest): Promise<OrderView> {
    return this.update(orderId, () => this.d.client.workflow.getHandle(orderId).executeUpdate(interventionUpdate, { args: [req] }));
  }

  /** Orders waiting for an operator, with why and what may be done. */
  async listInterventions() {
    const rows = await this.d.store.listWaitingForOperator();
    return rows.map((r) => ({ orderId: r.id, clientOrderId: r.clientOrderId, strategyId: r.strategyId, tradingsymbol: r.tradingsymbol, status: r.status, brokerOrderId: r.brokerOrderId, intervention: r.intervention, updatedAt: r.updatedAt.toISOString() }));
  }

  /** Runs an update (its answer is the compact one the CLI prints) and answers the order's whole view, read after it. */
  private async update(orderId: string, run: () => Promise<unknown>): Promise<OrderView> {
    try {
      await this.d.client.connection.withDeadline(Date.now() + COMMAND_DEADLINE_MS, run);
    } catch (err) {
      if (isAdmissionDeadline(err)) {
        throw retryLater(503, 'ORDER_BUSY', `order ${orderId} did not answer within ${COMMAND_DEADLINE_MS / 1000} s (no worker running, or the broker is slow to confirm); the request may still take effect: send it again (it is safe) to learn its outcome`, 2);
      }
      if (err instanceof WorkflowNotFoundError) {
        const row = await this.d.store.getOrder(orderId);
        if (!row) throw notFound(`order ${orderId}`);
        throw conflict('ORDER_NOT_CHANGEABLE', `order ${orderId} is ${row.status}; it can no longer be changed`);
      }
      throw mapUpdateError(err);
    }
    return this.getOrder(orderId);
  }

  /** A Kite postback: checksum verified, then handed to the order's workflow as a signal. */
  async handlePostback(p: { order_id: string; order_timestamp: string; checksum: string; status: string; tag?: string | null; filled_quantity?: number; average_price?: number }): Promise<{ delivered: boolean }> {
    const given = Buffer.from(p.checksum, 'hex');
    const signedBy = (secret: string) => {
      const expected = createHash('sha256').update(p.order_id + p.order_timestamp + secret).digest();
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    if (![this.d.apiSecret, ...(this.d.otherApiSecrets ?? [])].some(signedBy)) throw new AppError(401, 'BAD_CHECKSUM', 'postback checksum does not verify');
    return this.deliverBrokerUpdate(p.tag ?? null, {
      source: 'broker-postback', brokerOrderId: p.order_id, status: p.status, filledQuantity: p.filled_quantity, averagePrice: p.average_price,
    });
  }

  /**
   * Tells the order a broker order belongs to (by its tag, else its broker order id) to look at the broker now. Not
   * delivered when the OMS does not know the order or its workflow has finished.
   */
  async deliverBrokerUpdate(tag: string | null, update: Omit<BrokerUpdate, 'receivedAt'> & { brokerOrderId: string }): Promise<{ delivered: boolean }> {
    const order = (tag ? await this.d.store.findByTag(tag) : null) ?? (await this.d.store.findByBrokerOrderId(update.brokerOrderId));
    if (!order) return { delivered: false };
    // The same news already went to this order (a postback, then the book watcher): it is reading the broker already.
    if (this.d.hints && !this.d.hints.isNews(update.brokerOrderId, update.status, update.filledQuantity)) return { delivered: true };
    try {
      await this.d.client.workflow.getHandle(order.id).signal(brokerUpdateSignal, { ...update, receivedAt: (this.d.now?.() ?? new Date()).toISOString() });
      return { delivered: true };
    } catch (err) {
      this.d.hints?.forget(update.brokerOrderId);
      if (err instanceof WorkflowNotFoundError) return { delivered: false }; // finished already: nothing to tell it
      throw err;
    }
  }
}
