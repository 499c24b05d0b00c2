import type { AuditEvent, OrderState } from '../domain/order-state';
import type { OrderStore } from '../store/order-store';

/** Persistence activities: upserts keyed by order id, event id and trade id, so a retry changes nothing. */
export function createStoreActivities({ store }: { store: Pick<OrderStore, 'saveProgress'> }) {
  return {
    /** Records the order's current row, its new audit events and its fills. */
    async saveOrderProgress(args: { state: OrderState; events: AuditEvent[] }): Promise<void> {
      await store.saveProgress(args.state, args.events);
    },
  };
}
