import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OrderState } from '../domain/order-state';
import type { OrderType } from '../domain/order-types';

/** Signals, queries and updates of the order workflow, declared once. One object argument each. */

/** A broker update (postback, or the reconciler) for this order: a hint to look at the broker now. */
export interface BrokerUpdate {
  source: 'broker-postback' | 'reconciler' | 'operator';
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
export const modifyOrderUpdate = defineUpdate<OrderState, [ModifyRequest]>('modifyOrderUpdate');

export interface CancelRequest { reason?: string }
export const cancelOrderUpdate = defineUpdate<OrderState, [CancelRequest]>('cancelOrderUpdate');

/** ApplicationFailure types the API maps onto HTTP answers. */
export const FailureTypes = {
  idempotencyConflict: 'IDEMPOTENCY_CONFLICT',
  orderNotChangeable: 'ORDER_NOT_CHANGEABLE',
  invalidChange: 'INVALID_CHANGE',
  brokerRejected: 'BROKER_REJECTED',
  /** A modify the risk gate refused; details[0] is the failed check. */
  riskRejected: 'RISK_REJECTED',
} as const;
