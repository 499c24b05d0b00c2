import { orderSummary } from '../domain/order-summary';
import { condition, getExternalWorkflowHandle, log, ParentClosePolicy, setHandler, startChild, uuid4 } from '@temporalio/workflow';
import { payloadHash } from '../domain/hash';
import type { OrderRequest } from '../domain/order-types';
import { isTerminal } from '../domain/order-types';
import { legCommandSignal, legUpdateSignal, type LegCommand, type LegUpdate, type ModifyRequest, type OrderWorkflowInput } from './order-messages';
import type { OrderState } from '../domain/order-state';
import type { OrderWorkflowConfig } from './order-config';
import { OrderClientId, OrderParent, OrderStatus, OrderStrategyId, OrderSymbol } from './search-attributes';

/** What a parent knows about one of its legs: the leg's last update, or its request until the first one arrives. */
export interface LegView extends Omit<LegUpdate, 'results'> {
  role: string;
  request: OrderRequest;
}

type LegCommandBody = { kind: 'modify'; changes: ModifyRequest } | { kind: 'cancel'; reason?: string };

/**
 * The parent side of parent/child orders, for use inside a workflow. Each leg is an order workflow of its own (own id,
 * own history, own row in `orders`), started exactly once as a child — the start is in the parent's history — and
 * abandoned rather than killed if the parent ends, so a live broker order is never left unwatched.
 */
export class LegBook {
  readonly legs: Record<string, LegView> = {};
  private readonly results: Record<string, { error?: string }> = {};
  /** Command signals on their way to a leg: sent, not yet delivered nor refused. */
  private inFlight = 0;
  /** Bumped on every update, so a parent can wait for "anything new" with condition(). */
  version = 0;

  constructor(private readonly parentId: string, private readonly config?: Partial<OrderWorkflowConfig>) {
    setHandler(legUpdateSignal, (u) => {
      const leg = this.legs[u.orderId];
      if (!leg) return;
      for (const r of u.results) this.results[r.id] = r.error === undefined ? {} : { error: r.error };
      if (u.sequence >= leg.sequence) {
        const { results: _ignored, ...view } = u;
        this.legs[u.orderId] = { ...leg, ...view };
      }
      this.version += 1;
    });
  }

  /** Starts the leg's order workflow; `riskCovered` when this parent's admission already reserved its exposure. */
  async start(a: { orderId: string; role: string; request: OrderRequest; receivedAt: string; riskCovered: boolean }): Promise<void> {
    const r = a.request;
    this.legs[a.orderId] = {
      orderId: a.orderId, role: a.role, request: r, sequence: -1, status: 'RECEIVED', statusMessage: null, brokerOrderId: null, quantity: r.quantity,
      pricePaise: r.pricePaise ?? null, triggerPricePaise: r.triggerPricePaise ?? null, orderType: r.orderType, filledQuantity: 0, averagePrice: null, fills: [], intervention: null,
    };
    // Started by type name: the order workflow itself uses LegBook (splits), so importing it here would be a cycle.
    await startChild<(input: OrderWorkflowInput) => Promise<OrderState>>('orderLifecycleWorkflow', {
      workflowId: a.orderId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{
        orderId: a.orderId, request: r, payloadHash: payloadHash(r), receivedAt: a.receivedAt, config: this.config,
        link: { parentId: this.parentId, role: a.role, riskCovered: a.riskCovered },
      }],
      typedSearchAttributes: [
        { key: OrderClientId, value: r.clientOrderId }, { key: OrderSymbol, value: r.tradingsymbol }, { key: OrderStrategyId, value: r.strategyId },
        { key: OrderStatus, value: 'RECEIVED' }, { key: OrderParent, value: this.parentId },
      ],
      staticSummary: orderSummary(r, `${a.role} of ${this.parentId}`),
    });
  }

  /** Sends a modify or cancel to a leg and waits for its answer (the leg's next update carries it). */
  async command(orderId: string, body: LegCommandBody): Promise<{ error?: string }> {
    const id = uuid4();
    const refused = await this.signal(orderId, { id, ...body } as LegCommand);
    if (refused !== undefined) return { error: `leg ${orderId} did not take the command: ${refused}` }; // the leg's workflow has closed
    // A leg that finishes while the command is on its way may never answer it: its final status is the answer.
    await condition(() => this.results[id] !== undefined || isTerminal(this.legs[orderId]?.status ?? 'RECEIVED'));
    return this.results[id] ?? { error: `leg ${orderId} is ${this.legs[orderId]?.status}` };
  }

  /** Sends a command without waiting for its answer; a leg that has closed meanwhile is not an error (it is final). */
  async send(orderId: string, body: LegCommandBody): Promise<void> {
    const refused = await this.signal(orderId, { id: uuid4(), ...body } as LegCommand);
    if (refused !== undefined) log.warn('leg did not take the command', { orderId, kind: body.kind, error: refused });
  }

  /**
   * Resolves once no command signal is on its way to a leg. A parent awaits it before it returns or continues as new:
   * closing with a signal in flight leaves the signal's outcome nowhere to land (the time-skipping test server then
   * keeps its time-skipping lock for it forever).
   */
  settled(): Promise<void> {
    return condition(() => this.inFlight === 0);
  }

  /** Every command goes through here, so `settled()` sees it; answers the refusal (the leg has closed), if any. */
  private async signal(orderId: string, cmd: LegCommand): Promise<string | undefined> {
    this.inFlight += 1;
    try {
      await getExternalWorkflowHandle(orderId).signal(legCommandSignal, cmd);
      return undefined;
    } catch (err) {
      return String(err);
    } finally {
      this.inFlight -= 1;
    }
  }

  list(): LegView[] {
    return Object.values(this.legs);
  }
}
