import { createBrokerActivities, type BrokerActivityDeps } from './broker-activities';
import { createStoreActivities } from './store-activities';
import type { OrderStore } from '../store/order-store';

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: BrokerActivityDeps & { store: Pick<OrderStore, 'saveProgress'> }) {
  return { ...createBrokerActivities(deps), ...createStoreActivities(deps) };
}

export type OrderActivities = ReturnType<typeof createActivities>;
