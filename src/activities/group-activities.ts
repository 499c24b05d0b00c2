import type { OrderGroupState } from '../domain/order-group-state';
import type { OrderGroupStore } from '../store/order-group-store';

/** Activities of the OCO/bracket group workflow; its legs use the order activities. */
export function createGroupActivities({ groups }: { groups: Pick<OrderGroupStore, 'saveGroup'> }) {
  return {
    /** Records the group's current state (legs, position, episodes); an upsert, so a retry is harmless. */
    async saveOrderGroup(args: { state: OrderGroupState }): Promise<void> {
      await groups.saveGroup(args.state);
    },
  };
}

export type GroupActivities = ReturnType<typeof createGroupActivities>;
