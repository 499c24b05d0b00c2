import type { AuditEvent, OrderEvent, OrderState } from '../domain/order-state';
import { transition } from '../domain/order-transition';
import type { OrderStore } from '../store/order-store';

/**
 * What the workflow has not saved yet: the state before the call (as saves send it), its unsaved audit, and the time
 * (the workflow's clock at the call) the outcome's event will carry.
 */
export interface PendingSave {
  state: OrderState;
  events: AuditEvent[];
  at: string;
}

/** An outcome an activity saved: the event sequence the saved state reached. */
export interface Recorded {
  sequence: number;
}

/**
 * Saves what an activity's outcome does to the order, with the audit the workflow had not saved yet, so the workflow
 * needs no save (no activity, no workflow task) of its own. It runs the same pure transition the workflow applies to
 * the same event (stamped with the workflow's `at`), so both arrive at the same state; the workflow keeps its
 * own save when its state moved on during the call (a signal), and the later save overwrites this one. A failed save
 * fails nothing: the activity's answer stands, and the workflow saves it itself (undefined).
 */
export async function recordOutcome(
  store: Pick<OrderStore, 'saveProgress'>, pending: PendingSave | undefined, event: ((at: string) => OrderEvent) | null, log?: (msg: string) => void,
): Promise<Recorded | undefined> {
  if (!pending || (!event && pending.events.length === 0)) return undefined;
  // No event: the outcome changes nothing in the order (a broker's "accepted"); the pending save is made as it is.
  const { state, audit } = event ? transition(pending.state, event(pending.at)) : { state: pending.state, audit: [] };
  try {
    await store.saveProgress(state, [...pending.events, ...audit]);
  } catch (err) {
    log?.(`order ${state.orderId}: the outcome was not saved with its activity (the workflow saves it): ${(err as Error).message}`);
    return undefined;
  }
  return { sequence: state.eventSequence };
}
