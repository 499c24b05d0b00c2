import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { InterventionAction, OrderAnswer, OrderLink, OrderState } from '../domain/order-state';
import type { Fill, OrderRequest, OrderStatus, OrderType } from '../domain/order-types';
import type { OrderWorkflowConfig } from './order-config';

/** Signals, queries and updates of the order workflow, declared once. One object argument each. */

/** A broker update (postback, or the reconciler) for this order: a hint to look at the broker now. */
export interface BrokerUpdate {
  /** broker-book: the account's order-book watcher saw this order change; broker-websocket: Kite's order update stream. */
  source: 'broker-postback' | 'broker-websocket' | 'broker-book' | 'reconciler' | 'operator';
  brokerOrderId?: string;
  status?: string;
  filledQuantity?: number;
  averagePrice?: number;
  receivedAt?: string;
}
export const brokerUpdateSignal = defineSignal<[BrokerUpdate]>('brokerUpdateSignal');

export const orderStateQuery = defineQuery<OrderState>('orderStateQuery');

/** Waits until the order has been validated and persisted; the API answers the POST with this. */
export interface AdmissionRequest { payloadHash: string }
export interface AdmissionResult { orderId: string; status: string; accepted: boolean; state: OrderState }
export const admissionUpdate = defineUpdate<AdmissionResult, [AdmissionRequest]>('admissionUpdate');

export interface ModifyRequest { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: OrderType }
/** What a modify update takes: ModifyRequest, or prices in rupees as the HTTP API takes them (`price: "98.05"`). */
export type ModifyTermsInput = ModifyRequest & { price?: string; triggerPrice?: string };
/**
 * `by`: who asks, recorded as the audit row's actor. Our API sends `api-key:<id> (<role>)`; an operator using the
 * Temporal CLI or UI should send their name (absent: `temporal-client`, since workflow code cannot see the caller).
 */
export const modifyOrderUpdate = defineUpdate<OrderAnswer, [ModifyTermsInput & { by?: string }]>('modifyOrderUpdate');

export interface CancelRequest { reason?: string; by?: string }
export const cancelOrderUpdate = defineUpdate<OrderAnswer, [CancelRequest]>('cancelOrderUpdate');

/** An operator's decision for an order that waits for one (see OrderState.intervention). */
/** `changes`: the new terms for a `modify` (then the order is placed again). */
export interface InterventionRequest { action: InterventionAction; note?: string; by?: string; changes?: ModifyTermsInput }
export const interventionUpdate = defineUpdate<OrderAnswer, [InterventionRequest]>('interventionUpdate');

/**
 * Parent/child orders (split slices, OCO and bracket legs): each leg is its own order workflow, started as a child of
 * the workflow that owns it. The leg reports to its parent by `legUpdateSignal` whenever its status, fills or terms
 * change and whenever a command the parent sent (by `legCommandSignal`) is done; a signal never blocks either side.
 */
export interface LegUpdate {
  orderId: string;
  /** The leg's audit sequence when it sent this: an older update than the one held is ignored. */
  sequence: number;
  status: OrderStatus;
  statusMessage: string | null;
  brokerOrderId: string | null;
  quantity: number;
  pricePaise: number | null;
  triggerPricePaise: number | null;
  orderType: OrderType;
  filledQuantity: number;
  averagePrice: string | null;
  fills: Fill[];
  /** Set while the leg waits for an operator. */
  intervention: string | null;
  /** Commands finished since the last update: the id the parent gave, and the refusal if there was one. */
  results: { id: string; error?: string }[];
}
export const legUpdateSignal = defineSignal<[LegUpdate]>('legUpdateSignal');

/** A parent's command to one of its legs; `id` makes a re-sent command a no-op. */
export type LegCommand =
  | { id: string; kind: 'modify'; changes: ModifyRequest }
  | { id: string; kind: 'cancel'; reason?: string };
export const legCommandSignal = defineSignal<[LegCommand]>('legCommandSignal');

/** ApplicationFailure types the API maps onto HTTP answers. */
export const FailureTypes = {
  idempotencyConflict: 'IDEMPOTENCY_CONFLICT',
  orderNotChangeable: 'ORDER_NOT_CHANGEABLE',
  invalidChange: 'INVALID_CHANGE',
  brokerRejected: 'BROKER_REJECTED',
  /** A modify the risk gate refused; details[0] is the failed check. */
  riskRejected: 'RISK_REJECTED',
  /** An intervention for an order that is not waiting for one, or an action it does not offer. */
  noInterventionPending: 'NO_INTERVENTION_PENDING',
  /** The broker could not be reached within the operation's retry strategy. */
  brokerUnavailable: 'BROKER_UNAVAILABLE',
  /** Raised by broker activities when the Kite session is not valid. */
  tokenExpired: 'TOKEN_EXPIRED',
  /** A placement that sent nothing: an earlier attempt under the tag may still act; details[0] is how long (ms). */
  placementInDoubt: 'PLACEMENT_IN_DOUBT',
  /** A save the database refused for its data (a data exception): not retried, and the order goes on. */
  dataRejected: 'DATA_REJECTED',
} as const;

/** The order workflow's input (what the API, a parent workflow or continue-as-new starts it with). */
export interface OrderWorkflowInput {
  orderId: string;
  request: OrderRequest;
  payloadHash: string;
  receivedAt: string;
  config?: Partial<OrderWorkflowConfig>;
  /** Set by continue-as-new: the state to carry on from. */
  resume?: OrderState;
  /** Set when a parent workflow (split, OCO, bracket) starts this order as one of its legs. */
  link?: OrderLink;
}
