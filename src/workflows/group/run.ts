import { proxyActivities } from '@temporalio/workflow';
import type { GroupActivities } from '../../activities/group-activities';
import { groupPosition, type GroupFacts, type LegFacts } from '../../domain/order-group';
import { legOrderIdFor, type GroupRequest } from '../../domain/order-group-legs';
import { initialGroupState, withEpisode, type GroupEpisodeType, type GroupLeg, type OrderGroupState } from '../../domain/order-group-state';
import { isTerminal } from '../../domain/order-types';
import { LegBook, type LegView } from '../child-orders';
import type { OrderGroupInput } from '../order-group-messages';

export const store = proxyActivities<GroupActivities>({
  heartbeatTimeout: '8s', // heartbeats while it runs: a killed worker is noticed in seconds (worker/heartbeats.ts)
  startToCloseTimeout: '20s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** What the planner has seen: a leg update (LegBook.version) or anything else that should wake it (`tick`). */
export interface Seen { version: number; tick: number }

/** One group's run: its state, its legs and what it has asked of them. The files beside this one act on it. */
export class GroupRun {
  readonly request: GroupRequest;
  readonly legs: LegBook;
  state: OrderGroupState;
  readonly roleOf: Record<string, string> = {};
  readonly flattenIds: string[] = [];
  /** Legs with a resize in flight, and legs already asked to cancel. */
  readonly busy = new Set<string>();
  readonly cancelSent = new Set<string>();
  /** Commands sent whose answer has not been applied yet: the group does not finish before every one is. */
  unanswered = 0;
  /** Bumped by anything that is not a leg update but should wake the planner (an answer, a cancel request). */
  tick = 0;
  finished = false;
  lastSaved = '';

  constructor(readonly input: OrderGroupInput) {
    this.request = input.request;
    this.legs = new LegBook(input.groupId, input.config);
    this.state = initialGroupState({ groupId: input.groupId, request: input.request, payloadHash: input.payloadHash, at: input.receivedAt });
  }

  /** The workflow clock: deterministic on replay. */
  now(): string {
    return new Date(Date.now()).toISOString();
  }

  record(type: GroupEpisodeType, detail: Record<string, unknown>): void {
    this.state = withEpisode(this.state, type, detail, this.now());
  }

  idOf(role: string): string {
    return legOrderIdFor(this.request.clientOrderId, role);
  }

  seen(): Seen {
    return { version: this.legs.version, tick: this.tick };
  }

  changedSince(seen: Seen): boolean {
    return this.legs.version !== seen.version || this.tick !== seen.tick;
  }

  liveRoles(): string[] {
    return this.legs.list().filter((l) => !isTerminal(l.status)).map((l) => this.roleOf[l.orderId]);
  }

  everyLegAsked(): boolean {
    return this.legs.list().every((l) => isTerminal(l.status) || this.cancelSent.has(l.orderId));
  }

  facts(): GroupFacts {
    const g = this.request;
    return {
      kind: g.kind, positionSide: g.side, positionQuantity: g.quantity,
      entry: this.legFacts(this.idOf('entry')), target: this.legFacts(this.idOf('target')), stop: this.legFacts(this.idOf('stop')),
      flattens: this.flattenIds.map((id) => this.legFacts(id) as LegFacts), cancelRequested: this.state.cancelRequested,
      triggeredBy: this.state.triggeredBy, excessRecorded: this.state.excessRecorded, refusedResizes: this.state.refusedResizes,
      maxFlattens: this.input.maxFlattens ?? 3,
    };
  }

  /** The state with the legs as last reported (a query sees them between saves too). */
  current(): OrderGroupState {
    return { ...this.state, legs: this.legs.list().map((l) => legSummary(this.roleOf[l.orderId], l)), position: groupPosition(this.facts()) };
  }

  private legFacts(orderId: string): LegFacts | undefined {
    const v = this.legs.legs[orderId];
    if (!v) return undefined;
    return {
      orderId, side: v.request.side, status: v.status, quantity: v.quantity, filledQuantity: v.filledQuantity, atBroker: v.brokerOrderId !== null,
      busy: this.busy.has(orderId), cancelRequested: this.cancelSent.has(orderId), lastFillAt: v.fills.at(-1)?.executedAt ?? null,
    };
  }
}

function legSummary(role: string, l: LegView): GroupLeg {
  return {
    role, orderId: l.orderId, side: l.request.side, orderType: l.orderType, status: l.status, quantity: l.quantity,
    filledQuantity: l.filledQuantity, averagePrice: l.averagePrice, brokerOrderId: l.brokerOrderId,
  };
}
