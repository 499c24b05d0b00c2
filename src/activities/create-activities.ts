import { createBrokerActivities, type BrokerActivityDeps } from './broker-activities';
import { createRiskActivities, type RiskActivityDeps } from './risk-activities';
import { createStoreActivities } from './store-activities';
import type { OrderStore } from '../store/order-store';

export type ActivityDeps = BrokerActivityDeps & RiskActivityDeps & { store: Pick<OrderStore, 'saveProgress'> };

/** All activities the worker registers, built from their dependencies. */
export function createActivities(deps: ActivityDeps) {
  return { ...createBrokerActivities(deps), ...createRiskActivities(deps), ...createStoreActivities(deps) };
}

export type OrderActivities = ReturnType<typeof createActivities>;
