import type { BrokerOrderSnapshot, Fill, Instrument, OrderRequest, OrderStatus, OrderType } from './order-types';
import { isTerminal } from './order-types';
import type { ValidationReport } from './order-validation';
import { paiseToRupees } from './money';

export type EventSource = 'api' | 'workflow' | 'broker-postback' | 'broker-websocket' | 'broker-book' | 'broker-poll' | 'operator' | 'reconciler';

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
  /** Who acted: `api-key:<id> (<role>)`, `workflow:<rule>`, `reconciler`, an operator's name (Temporal CLI), ... */
  actor: string;
  payload: Record<string, unknown>;
  occurredAt: string;
}

export type OrderEvent =
  | { type: 'VALIDATED'; report: ValidationReport; instrument: Instrument | null; at: string }
  | { type: 'SUBMITTED'; brokerOrderId: string; recovered: boolean; at: string }
  | { type: 'SUBMIT_REJECTED'; code: string; message: string; at: string }
  | { type: 'SUBMIT_FAILED'; message: string; at: string }
  | { type: 'BROKER_SNAPSHOT'; snapshot: BrokerOrderSnapshot; source: EventSource; at: string }
  | { type: 'MODIFY_REQUESTED'; changes: Record<string, unknown>; by: string; at: string }
  | { type: 'MODIFY_RISK_CHECKED'; report: ValidationReport; at: string }
  | { type: 'CANCEL_REQUESTED'; by: string; reason?: string; at: string }
  | { type: 'BROKER_REQUEST_FAILED'; action: 'modify' | 'cancel'; message: string; at: string }
  | { type: 'INTERVENTION_REQUIRED'; reason: string; message: string; actions: InterventionAction[]; at: string }
  | { type: 'INTERVENTION_RESOLVED'; action: InterventionAction; note?: string; by?: string; at: string }
  | { type: 'ABANDONED'; note?: string; at: string }
  | { type: 'LADDER_STEP'; step: Record<string, unknown>; at: string }
  | { type: 'LADDER_STOPPED'; reason: string; at: string }
  | { type: 'COMPLETION_TRIGGERED'; policy: string; action: 'cancel' | 'market' | 'reprice'; at: string }
  | { type: 'RETRY_SCHEDULED'; operation: string; attempt: number; delayMs: number; error: string; at: string }
  /** A placement sent nothing: an earlier attempt under the tag may still act at the broker until its wait is over. */
  | { type: 'PLACEMENT_IN_DOUBT'; waitMs: number; message: string; at: string }
  | { type: 'BROKER_UNREACHABLE'; operation: string; error: string; at: string }
  | { type: 'ATTEMPT_REJECTED'; rejection: string; code: string | null; message: string; rung: string; at: string }
  | { type: 'FALLBACK_STEP'; step: Record<string, unknown>; at: string }
  | { type: 'REPLACING'; tag: string; changes: { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: OrderType }; at: string }
  | { type: 'SPLIT'; slices: SliceView[]; at: string }
  | { type: 'SLICES_UPDATED'; slices: SliceView[]; fills: Fill[]; at: string };

/**
 * The order as an update answers with it (the answer is recorded in the workflow's history): without the instrument,
 * the payload hash and the risk report, which the caller reads from Postgres (orders.validation_result) when it
 * shows the order. The full state is one query away.
 */
export function answerOf(s: OrderState): OrderState {
  return { ...s, instrument: null, payloadHash: '', validation: null };
}

/**
 * What a modify, cancel or intervention answers (and `temporal workflow update execute` prints): the order at a
 * glance, prices in rupees as the HTTP API takes them. The whole state is the orderStateQuery's.
 */
export interface OrderAnswer {
  orderId: string;
  status: OrderStatus;
  statusMessage: string | null;
  quantity: number;
  orderType: OrderState['orderType'];
  price: string | null;
  triggerPrice: string | null;
  filledQuantity: number;
  averagePrice: string | null;
  brokerOrderId: string | null;
  brokerStatus: string | null;
  cancelRequested: boolean;
  intervention: Intervention | null;
  updatedAt: string;
}

const rupeesOrNull = (paise: number | null) => (paise === null ? null : paiseToRupees(paise));

export function compactAnswer(s: OrderState): OrderAnswer {
  return {
    orderId: s.orderId, status: s.status, statusMessage: s.statusMessage, quantity: s.quantity, orderType: s.orderType,
    price: rupeesOrNull(s.pricePaise), triggerPrice: rupeesOrNull(s.triggerPricePaise), filledQuantity: s.filledQuantity, averagePrice: s.averagePrice,
    brokerOrderId: s.brokerOrderId, brokerStatus: s.brokerStatus, cancelRequested: s.cancelRequested, intervention: s.intervention ?? null, updatedAt: s.updatedAt,
  };
}

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

/** Why an order cannot be modified or cancelled now, or null when it can. */
export function whyNotChangeable(state: OrderState, action: 'modify' | 'cancel'): string | null {
  if (isTerminal(state.status)) return `order ${state.orderId} is ${state.status}; a ${action} is not possible`;
  if (state.cancelRequested) return `order ${state.orderId} is being cancelled`;
  if (state.slices?.length) return action === 'modify' ? `order ${state.orderId} was split into ${state.slices.length} slices; modify the slices (${state.slices.map((x) => x.orderId).join(', ')}) or cancel the order` : null;
  if (!state.brokerOrderId) return `order ${state.orderId} is not yet at the broker (${state.status}); try again shortly`;
  return null;
}
