import type { AuditEvent, EventSource, OrderState } from './order-state';
import type { OrderStatus } from './order-types';

/** Who acted when nobody is named: the workflow itself, the broker's news, the reconciler. */
export function actorOf(source: EventSource): string {
  switch (source) {
    case 'workflow': return 'workflow';
    case 'broker-postback': return 'broker:postback';
    case 'broker-websocket': return 'broker:websocket';
    case 'broker-book': return 'workflow:order-book-watcher';
    case 'broker-poll': return 'workflow:broker-poll';
    case 'reconciler': return 'reconciler';
    case 'operator': return 'operator';
    case 'api': return 'api';
  }
}

/** Where a named actor acted from: our API (`api-key:`), a workflow rule or parent (`workflow:`), else an operator (Temporal CLI/UI). */
export function sourceOfActor(actor: string): EventSource {
  if (actor.startsWith('api-key:')) return 'api';
  if (actor.startsWith('workflow')) return 'workflow';
  return 'operator';
}

/** The state being built by one transition, and the audit records it produces on the way. */
export class Draft {
  readonly audit: AuditEvent[] = [];
  constructor(public state: OrderState) {}
  /** `actor`: who acted (an API key, an operator, a workflow rule); by default the source's own (actorOf). */
  record(type: string, source: EventSource, at: string, payload: Record<string, unknown>, toStatus: OrderStatus | null = null, actor?: string): void {
    const sequence = this.state.eventSequence + 1;
    this.state = { ...this.state, eventSequence: sequence, updatedAt: at };
    this.audit.push({ sequence, type, fromStatus: toStatus ? this.state.status : null, toStatus, source, actor: actor ?? actorOf(source), payload, occurredAt: at });
  }
  moveTo(status: OrderStatus, source: EventSource, at: string, message: string | null, payload: Record<string, unknown> = {}): void {
    if (status === this.state.status) return;
    this.record('STATUS_CHANGED', source, at, { ...payload, ...(message ? { message } : {}) }, status);
    this.state = {
      ...this.state, status, statusMessage: message ?? this.state.statusMessage,
      filledAt: status === 'FILLED' ? at : this.state.filledAt,
      history: [...this.state.history, { status, at, source, ...(message ? { message } : {}) }],
    };
  }
}

