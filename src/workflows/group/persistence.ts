import { allHandlersFinished, condition, log, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderGroupState } from '../../domain/order-group-state';
import { OrderStatus } from '../search-attributes';
import { store, type GroupRun } from './run';

/** Saves the group's row when something a reader sees has changed (status, legs, episodes, position). */
export async function saveGroup(run: GroupRun): Promise<void> {
  run.state = run.current();
  const s = run.state;
  const key = JSON.stringify([s.status, s.legs, s.episodes.length, s.position]);
  if (key === run.lastSaved) return;
  await store.saveOrderGroup({ state: s });
  run.lastSaved = key;
}

/** Ends the run: never with a command signal still on its way to a leg, nor with a cancel still being answered. */
export async function closeGroup(run: GroupRun): Promise<OrderGroupState> {
  upsertSearchAttributes([{ key: OrderStatus, value: run.state.status }]);
  await run.legs.settled();
  await condition(allHandlersFinished);
  log.info('group finished', { groupId: run.state.groupId, status: run.state.status, open: run.state.position.open });
  return run.state;
}
