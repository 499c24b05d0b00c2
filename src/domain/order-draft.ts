import type { AuditEvent, EventSource, OrderState } from './order-state';
import type { OrderStatus } from './order-types';

/** The state being built by one transition, and the audit records it produces on the way. */
export class Draft {
  readonly audit: AuditEvent[] = [];
  constructor(public state: OrderState) {}
  record(type: string, source: EventSource, at: string, payload: Record<string, unknown>, toStatus: OrderStatus | null = null): void {
    const sequence = this.state.eventSequence + 1;
    this.state = { ...this.state, eventSequence: sequence, updatedAt: at };
    this.audit.push({ sequence, type, fromStatus: toStatus ? this.state.status : null, toStatus, source, payload, occurredAt: at });
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

