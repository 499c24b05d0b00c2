import { getExternalWorkflowHandle, log, workflowInfo } from '@temporalio/workflow';
import type { OrderState } from '../../domain/order-state';
import { legUpdateSignal, type LegUpdate } from '../order-messages';

/**
 * A leg (split slice, OCO or bracket leg) tells its parent workflow what changed: status, fills, terms, and the
 * answers to the commands the parent sent. An order without a parent reports nothing.
 */
export class ParentReport {
  private readonly parentId = workflowInfo().parent?.workflowId ?? null;
  private lastReported = '';
  private results: LegUpdate['results'] = [];

  /** A command the parent sent is done; its answer goes out with the next report. */
  answered(id: string, error?: string): void {
    this.results.push({ id, ...(error !== undefined ? { error } : {}) });
  }

  /** Sends what changed since the last report; a closed parent is not an error. */
  async send(state: OrderState): Promise<void> {
    if (!this.parentId) return;
    const key = [state.status, state.filledQuantity, state.quantity, state.pricePaise, state.triggerPricePaise, state.orderType, state.brokerOrderId, state.intervention?.reason ?? ''].join('|');
    if (key === this.lastReported && this.results.length === 0) return;
    const update: LegUpdate = {
      orderId: state.orderId, sequence: state.eventSequence, status: state.status, statusMessage: state.statusMessage, brokerOrderId: state.brokerOrderId,
      quantity: state.quantity, pricePaise: state.pricePaise, triggerPricePaise: state.triggerPricePaise, orderType: state.orderType,
      filledQuantity: state.filledQuantity, averagePrice: state.averagePrice, fills: state.fills, intervention: state.intervention?.reason ?? null, results: this.results,
    };
    this.lastReported = key;
    this.results = [];
    try {
      await getExternalWorkflowHandle(this.parentId).signal(legUpdateSignal, update);
    } catch (err) {
      log.warn('parent did not take the leg update', { orderId: state.orderId, parent: this.parentId, error: String(err) });
    }
  }
}
