import type { Principal } from '../config/access-config';
import { canActFor } from '../config/access-config';
import type { StrategyEventType } from '../domain/strategy-events';
import type { EventFilter, EventStore, StoredEvent } from '../store/event-store';
import { AppError } from './app-errors';

/** An event as the stream, the JSON page and webhooks send it: its cursor as `id` (also the de-duplication id). */
export interface EventMessage {
  id: string;
  type: StrategyEventType;
  strategyId: string | null;
  account: string | null;
  orderId: string | null;
  occurredAt: string;
  data: Record<string, unknown>;
}

export const messageOf = (e: StoredEvent): EventMessage => ({
  id: e.seq.toString(), type: e.type, strategyId: e.strategyId, account: e.account, orderId: e.orderId, occurredAt: e.occurredAt, data: e.payload,
});

export interface StreamRequest {
  principal: Principal;
  strategyId?: string;
  types?: readonly StrategyEventType[];
}

/** The readers' side of the outbox: who may read what, and from where a stream starts. */
export class EventStreamService {
  constructor(private readonly deps: { store: Pick<EventStore, 'readAfter' | 'lastSeq'>; tail: { subscribe(wake: () => void): () => void } }) {}

  /**
   * A strategy key reads its own strategies' events; an operator every strategy's and the alerts, or one strategy's.
   * Asking for another strategy is refused, never silently narrowed.
   */
  filterOf(r: StreamRequest): EventFilter {
    const p = r.principal;
    if (r.strategyId && !canActFor(p, r.strategyId)) throw new AppError(403, 'STRATEGY_NOT_ALLOWED', `this key may not read strategy ${r.strategyId}`);
    const strategyIds = r.strategyId ? [r.strategyId] : p.strategies === 'all' ? undefined : p.strategies;
    // A non-operator key allowed every strategy still never reads the operators' alerts.
    const types = p.role === 'operator' ? r.types : (r.types ?? (['ORDER_STATUS', 'ORDER_FILL', 'POSITION', 'INTERVENTION'] as const)).filter((t) => t !== 'ALERT');
    return { strategyIds, types };
  }

  /** Where a stream starts: after the given cursor, else at the tail (only what happens from now on). */
  async startOf(cursor: bigint | undefined): Promise<bigint> {
    return cursor ?? (await this.deps.store.lastSeq());
  }

  async read(after: bigint, filter: EventFilter, limit: number): Promise<EventMessage[]> {
    return (await this.deps.store.readAfter(after, filter, limit)).map(messageOf);
  }

  subscribe(wake: () => void): () => void {
    return this.deps.tail.subscribe(wake);
  }
}
