import { isForward, isKiteFinal, mapKiteStatus } from './kite-status';
import { vwapRupees, paiseToRupees } from './money';
import type { BrokerOrderSnapshot, Fill, Instrument, OrderRequest, OrderStatus, OrderType } from './order-types';
import { isTerminal } from './order-types';
import type { ValidationReport } from './order-validation';
import { modifiedRequest } from './order-modification';

export type EventSource = 'api' | 'workflow' | 'broker-postback' | 'broker-poll' | 'operator' | 'reconciler';

/** The live state of one order. Plain JSON: it is the workflow's state and its query answer. */
export interface OrderState {
  orderId: string;
  tag: string;
  payloadHash: string;
  request: OrderRequest;
  status: OrderStatus;
  statusMessage: string | null;
  validation: ValidationReport | null;
  instrument: Instrument | null;
  brokerOrderId: string | null;
  brokerStatus: string | null;
  /** Current working terms (a modify changes them). */
  quantity: number;
  orderType: OrderType;
  pricePaise: number | null;
  triggerPricePaise: number | null;
  filledQuantity: number;
  averagePrice: string | null;
  fills: Fill[];
  /** Trades refused because they would overfill the order; remembered so a replayed snapshot is a no-op. */
  rejectedTradeIds: string[];
  cancelRequested: boolean;
  createdAt: string;
  submittedAt: string | null;
  updatedAt: string;
  filledAt: string | null;
  /** Status history for the API; the full audit is in order_events. */
  history: { status: OrderStatus; at: string; source: EventSource; message?: string }[];
  eventSequence: number;
  /** Set while the order waits for an operator (absent in states recorded before interventions existed). */
  intervention?: Intervention | null;
  /** Set when this order is a leg of another (a split slice, an OCO or bracket leg). */
  link?: OrderLink | null;
  /** Earlier broker orders of this order that the broker refused before the fallback ladder re-placed it. */
  attempts?: RejectedAttempt[];
  /** Set when the order was split: its slices (child orders), whose fills make up this order's. */
  slices?: SliceView[];
}

/** A refused broker order of this order, and the fallback rung taken after it. */
export interface RejectedAttempt { tag: string; brokerOrderId: string | null; quantity: number; orderType: OrderType; rejection: string; message: string; rung?: string; at: string }

export interface SliceView { orderId: string; quantity: number; filledQuantity: number; status: OrderStatus; averagePrice: string | null; brokerOrderId: string | null }

/**
 * A leg's place in its parent. `riskCovered`: the parent's own admission already reserved this exposure (a slice of a
 * split order, the second exit of an OCO pair), so the leg gets the basic checks but not a second book reservation.
 */
export interface OrderLink {
  parentId: string;
  role: string;
  riskCovered: boolean;
}

/**
 * `resume`/`abandon` answer a token expiry; `retry` (as is), `modify` (new terms, then retry), `convert` (to MARKET,
 * then retry) and `abandon` answer a manual review after the broker refused the order.
 */
export const INTERVENTION_ACTIONS = ['resume', 'abandon', 'retry', 'modify', 'convert'] as const;
export type InterventionAction = (typeof INTERVENTION_ACTIONS)[number];

/** Why an order waits for a human, since when, and what the human may do. */
export interface Intervention {
  reason: string; // e.g. TOKEN_EXPIRED
  message: string;
  since: string;
  actions: InterventionAction[];
}

/** One append-only audit record; its id is <orderId>:<sequence>, so re-writing it is a no-op. */
export interface AuditEvent {
  sequence: number;
  type: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus | null;
  source: EventSource;
  payload: Record<string, unknown>;
  occurredAt: string;
}

export type OrderEvent =
  | { type: 'VALIDATED'; report: ValidationReport; instrument: Instrument | null; at: string }
  | { type: 'SUBMITTED'; brokerOrderId: string; recovered: boolean; at: string }
  | { type: 'SUBMIT_REJECTED'; code: string; message: string; at: string }
  | { type: 'SUBMIT_FAILED'; message: string; at: string }
  | { type: 'BROKER_SNAPSHOT'; snapshot: BrokerOrderSnapshot; source: EventSource; at: string }
  | { type: 'MODIFY_REQUESTED'; changes: Record<string, unknown>; at: string }
  | { type: 'MODIFY_RISK_CHECKED'; report: ValidationReport; at: string }
  | { type: 'CANCEL_REQUESTED'; at: string }
  | { type: 'BROKER_REQUEST_FAILED'; action: 'modify' | 'cancel'; message: string; at: string }
  | { type: 'INTERVENTION_REQUIRED'; reason: string; message: string; actions: InterventionAction[]; at: string }
  | { type: 'INTERVENTION_RESOLVED'; action: InterventionAction; note?: string; by?: string; at: string }
  | { type: 'ABANDONED'; note?: string; at: string }
  | { type: 'LADDER_STEP'; step: Record<string, unknown>; at: string }
  | { type: 'LADDER_STOPPED'; reason: string; at: string }
  | { type: 'COMPLETION_TRIGGERED'; policy: string; action: 'cancel' | 'market' | 'reprice'; at: string }
  | { type: 'RETRY_SCHEDULED'; operation: string; attempt: number; delayMs: number; error: string; at: string }
  | { type: 'BROKER_UNREACHABLE'; operation: string; error: string; at: string }
  | { type: 'ATTEMPT_REJECTED'; rejection: string; code: string | null; message: string; rung: string; at: string }
  | { type: 'FALLBACK_STEP'; step: Record<string, unknown>; at: string }
  | { type: 'REPLACING'; tag: string; changes: { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: OrderType }; at: string }
  | { type: 'SPLIT'; slices: SliceView[]; at: string }
  | { type: 'SLICES_UPDATED'; slices: SliceView[]; fills: Fill[]; at: string };

export function initialOrderState(args: { orderId: string; tag: string; payloadHash: string; request: OrderRequest; at: string; link?: OrderLink }): OrderState {
  const r = args.request;
  return {
    orderId: args.orderId, tag: args.tag, payloadHash: args.payloadHash, request: r,
    status: 'RECEIVED', statusMessage: null, validation: null, instrument: null, brokerOrderId: null, brokerStatus: null,
    quantity: r.quantity, orderType: r.orderType, pricePaise: r.pricePaise ?? null, triggerPricePaise: r.triggerPricePaise ?? null,
    filledQuantity: 0, averagePrice: null, fills: [], rejectedTradeIds: [], cancelRequested: false,
    createdAt: args.at, submittedAt: null, updatedAt: args.at, filledAt: null,
    history: [{ status: 'RECEIVED', at: args.at, source: 'api' }], eventSequence: 0,
    ...(args.link ? { link: args.link } : {}),
  };
}

class Draft {
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

/** The order state machine: one event in, the next state and the audit records it produced out. */
export function transition(state: OrderState, event: OrderEvent): { state: OrderState; audit: AuditEvent[] } {
  const d = new Draft(state);
  if (isTerminal(state.status) && event.type !== 'BROKER_SNAPSHOT' && event.type !== 'SLICES_UPDATED') {
    d.record('IGNORED_AFTER_TERMINAL', 'workflow', event.at, { event: event.type });
    return { state: d.state, audit: d.audit };
  }
  switch (event.type) {
    case 'ATTEMPT_REJECTED': {
      // The refused broker order is kept on record; the order itself goes back to PENDING for its next rung.
      const s = d.state;
      const attempt: RejectedAttempt = { tag: s.tag, brokerOrderId: s.brokerOrderId, quantity: s.quantity, orderType: s.orderType, rejection: event.rejection, message: event.message, rung: event.rung, at: event.at };
      d.state = { ...s, attempts: [...(s.attempts ?? []), attempt], brokerOrderId: null, brokerStatus: null, submittedAt: null };
      d.record('ATTEMPT_REJECTED', 'broker-poll', event.at, { ...attempt, code: event.code });
      if (d.state.status !== 'PENDING') d.moveTo('PENDING', 'workflow', event.at, `broker refused: ${event.message}`);
      break;
    }
    case 'FALLBACK_STEP':
      d.record('FALLBACK_STEP', 'workflow', event.at, { ...event.step });
      break;
    case 'REPLACING': {
      const request = modifiedRequest(d.state, event.changes);
      d.state = { ...d.state, tag: event.tag, request, quantity: request.quantity, orderType: request.orderType, pricePaise: request.pricePaise ?? null, triggerPricePaise: request.triggerPricePaise ?? null };
      d.record('REPLACING', 'workflow', event.at, { tag: event.tag, ...event.changes });
      break;
    }
    case 'SPLIT':
      d.state = { ...d.state, slices: event.slices };
      d.record('SPLIT', 'workflow', event.at, { slices: event.slices.map((x) => ({ orderId: x.orderId, quantity: x.quantity })) });
      d.moveTo('SUBMITTED', 'workflow', event.at, `split into ${event.slices.length} slices`);
      break;
    case 'SLICES_UPDATED':
      applySlices(d, event.slices, event.fills, event.at);
      break;
    case 'VALIDATED':
      d.state = { ...d.state, validation: event.report, instrument: event.instrument };
      d.record('VALIDATED', 'workflow', event.at, { ...event.report });
      if (event.report.passed) d.moveTo('PENDING', 'workflow', event.at, null);
      else d.moveTo('REJECTED', 'workflow', event.at, event.report.failure?.message ?? 'validation failed', { code: event.report.failure?.code, check: event.report.failure?.check });
      break;
    case 'SUBMITTED':
      d.state = { ...d.state, brokerOrderId: event.brokerOrderId, submittedAt: event.at };
      d.moveTo('SUBMITTED', 'workflow', event.at, null, { brokerOrderId: event.brokerOrderId, recoveredByTag: event.recovered });
      break;
    case 'SUBMIT_REJECTED':
      d.moveTo('REJECTED', 'broker-poll', event.at, event.message, { code: event.code });
      break;
    case 'SUBMIT_FAILED':
      d.moveTo('FAILED', 'workflow', event.at, event.message);
      break;
    case 'MODIFY_REQUESTED':
      d.record('MODIFY_REQUESTED', 'api', event.at, event.changes);
      break;
    case 'INTERVENTION_REQUIRED':
      d.state = { ...d.state, intervention: { reason: event.reason, message: event.message, since: event.at, actions: event.actions } };
      d.record('INTERVENTION_REQUIRED', 'workflow', event.at, { reason: event.reason, message: event.message, actions: event.actions });
      break;
    case 'INTERVENTION_RESOLVED':
      d.state = { ...d.state, intervention: null };
      d.record('INTERVENTION_RESOLVED', 'operator', event.at, { action: event.action, ...(event.note ? { note: event.note } : {}), ...(event.by ? { by: event.by } : {}) });
      break;
    case 'ABANDONED': {
      // Never at the broker: nothing to undo. At the broker: the OMS stops following it and says so.
      const atBroker = d.state.brokerOrderId !== null;
      const message = atBroker
        ? `abandoned by an operator while broker order ${d.state.brokerOrderId} was ${d.state.brokerStatus ?? 'unknown'}; check it at the broker`
        : 'abandoned by an operator before it reached the broker';
      d.moveTo(atBroker ? 'FAILED' : 'CANCELLED', 'operator', event.at, event.note ? `${message} (${event.note})` : message);
      break;
    }
    case 'LADDER_STEP':
      d.record('LADDER_STEP', 'workflow', event.at, { ...event.step });
      break;
    case 'RETRY_SCHEDULED':
      d.record('RETRY_SCHEDULED', 'workflow', event.at, { operation: event.operation, attempt: event.attempt, delayMs: event.delayMs, error: event.error });
      break;
    case 'BROKER_UNREACHABLE':
      d.record('BROKER_UNREACHABLE', 'workflow', event.at, { operation: event.operation, error: event.error });
      break;
    case 'COMPLETION_TRIGGERED':
      d.record('COMPLETION_TRIGGERED', 'workflow', event.at, { policy: event.policy, action: event.action, remaining: d.state.quantity - d.state.filledQuantity });
      break;
    case 'LADDER_STOPPED':
      d.record('LADDER_STOPPED', 'workflow', event.at, { reason: event.reason });
      break;
    case 'MODIFY_RISK_CHECKED':
      d.record('MODIFY_RISK_CHECKED', 'workflow', event.at, { ...event.report });
      break;
    case 'CANCEL_REQUESTED':
      d.state = { ...d.state, cancelRequested: true };
      d.record('CANCEL_REQUESTED', 'api', event.at, {});
      break;
    case 'BROKER_REQUEST_FAILED':
      d.record(`${event.action.toUpperCase()}_FAILED`, 'workflow', event.at, { message: event.message });
      if (event.action === 'cancel') d.state = { ...d.state, cancelRequested: false };
      break;
    case 'BROKER_SNAPSHOT':
      applySnapshot(d, event.snapshot, event.source, event.at);
      break;
  }
  return { state: d.state, audit: d.audit };
}

function applySnapshot(d: Draft, snap: BrokerOrderSnapshot, source: EventSource, at: string): void {
  const before = d.state;
  // A stale snapshot (a poll that raced a postback) says nothing new about a finished order.
  if (isTerminal(before.status) && !isKiteFinal(snap.status)) return;
  if (before.brokerStatus !== snap.status) d.record('BROKER_UPDATE', source, at, { brokerStatus: snap.status, message: snap.statusMessage, filledQuantity: snap.filledQuantity });
  if (!isTerminal(before.status)) {
    // Broker truth for the working terms (a confirmed modify shows up here).
    d.state = { ...d.state, quantity: snap.quantity || d.state.quantity, pricePaise: snap.pricePaise ?? d.state.pricePaise, triggerPricePaise: snap.triggerPricePaise ?? d.state.triggerPricePaise, orderType: (snap.orderType as OrderType) || d.state.orderType };
  }
  d.state = { ...d.state, brokerStatus: snap.status, brokerOrderId: d.state.brokerOrderId ?? snap.brokerOrderId };
  mergeFills(d, snap, source, at);
  const next = mapKiteStatus(snap.status, { filledQuantity: d.state.filledQuantity, cancelRequested: d.state.cancelRequested, validity: d.state.request.validity, message: snap.statusMessage });
  if (next && isForward(d.state.status, next)) d.moveTo(next, source, at, snap.statusMessage, { brokerStatus: snap.status });
}

/** Fills come from trades (de-duplicated by trade id); the broker's cumulative filled quantity is never added up. */
function mergeFills(d: Draft, snap: BrokerOrderSnapshot, source: EventSource, at: string): void {
  const known = new Set([...d.state.fills.map((f) => f.tradeId), ...(d.state.rejectedTradeIds ?? [])]);
  let fills = d.state.fills;
  let tradedQty = fills.reduce((s, f) => s + f.quantity, 0);
  for (const t of snap.trades) {
    if (known.has(t.tradeId)) continue;
    known.add(t.tradeId);
    if (tradedQty + t.quantity > d.state.quantity) {
      d.state = { ...d.state, rejectedTradeIds: [...(d.state.rejectedTradeIds ?? []), t.tradeId] };
      d.record('OVERFILL_REJECTED', source, at, { tradeId: t.tradeId, quantity: t.quantity, filledSoFar: tradedQty, orderQuantity: d.state.quantity });
      continue;
    }
    fills = [...fills, t];
    tradedQty += t.quantity;
    d.record('FILL', source, t.executedAt, { tradeId: t.tradeId, quantity: t.quantity, price: paiseToRupees(t.pricePaise) });
  }
  // Trades can lag the order's own cumulative figure; the larger of the two (capped at the order) is the truth.
  const filled = Math.min(d.state.quantity, Math.max(d.state.filledQuantity, tradedQty, snap.filledQuantity));
  const averagePrice = tradedQty === filled ? vwapRupees(fills) : filled > 0 ? averageFromBroker(snap.averagePricePaise, d.state.averagePrice) : null;
  d.state = { ...d.state, fills, filledQuantity: filled, averagePrice };
}

/** A split order's status and fills are its slices': FILLED when all are, OPEN/PARTIALLY_FILLED while any works. */
function applySlices(d: Draft, slices: SliceView[], fills: Fill[], at: string): void {
  const filled = slices.reduce((n, x) => n + x.filledQuantity, 0);
  const known = new Set(d.state.fills.map((f) => f.tradeId));
  for (const f of fills) if (!known.has(f.tradeId)) d.record('FILL', 'workflow', f.executedAt, { tradeId: f.tradeId, quantity: f.quantity, price: paiseToRupees(f.pricePaise), slice: true });
  d.state = { ...d.state, slices, fills, filledQuantity: filled, averagePrice: vwapRupees(fills) ?? d.state.averagePrice };
  const live = slices.filter((x) => !isTerminal(x.status));
  let next: OrderStatus;
  if (live.length > 0) next = filled > 0 ? 'PARTIALLY_FILLED' : slices.some((x) => x.status === 'OPEN') ? 'OPEN' : 'SUBMITTED';
  else if (filled === d.state.quantity) next = 'FILLED';
  else if (filled === 0 && slices.every((x) => x.status === 'REJECTED')) next = 'REJECTED';
  else next = d.state.cancelRequested || filled > 0 ? 'CANCELLED' : slices.some((x) => x.status === 'FAILED') ? 'FAILED' : 'CANCELLED';
  if (!isTerminal(d.state.status) && next !== d.state.status && (isTerminal(next) || isForward(d.state.status, next))) d.moveTo(next, 'workflow', at, `slices: ${slices.map((x) => `${x.status} ${x.filledQuantity}/${x.quantity}`).join(', ')}`);
}

function averageFromBroker(avgPaise: number, previous: string | null): string | null {
  if (avgPaise > 0) return vwapRupees([{ quantity: 1, pricePaise: avgPaise }]);
  return previous;
}

/** Why an order cannot be modified or cancelled now, or null when it can. */
export function whyNotChangeable(state: OrderState, action: 'modify' | 'cancel'): string | null {
  if (isTerminal(state.status)) return `order ${state.orderId} is ${state.status}; a ${action} is not possible`;
  if (state.cancelRequested) return `order ${state.orderId} is being cancelled`;
  if (state.slices?.length) return action === 'modify' ? `order ${state.orderId} was split into ${state.slices.length} slices; modify the slices (${state.slices.map((x) => x.orderId).join(', ')}) or cancel the order` : null;
  if (!state.brokerOrderId) return `order ${state.orderId} is not yet at the broker (${state.status}); try again shortly`;
  return null;
}
