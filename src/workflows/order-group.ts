import type { OrderGroupState } from '../domain/order-group-state';
import { registerGroupHandlers } from './group/handlers';
import { placeOpeningLegs } from './group/legs';
import { closeGroup, saveGroup } from './group/persistence';
import { planAndAct } from './group/planning';
import { GroupRun } from './group/run';
import type { OrderGroupInput } from './order-group-messages';

/**
 * One OCO or bracket group: every leg (entry, target, stop, flatten-N) is an order workflow of its own, started as a
 * child through LegBook; this workflow only feeds the legs' updates to `planGroup` and carries out what it says.
 */
export async function orderGroupWorkflow(input: OrderGroupInput): Promise<OrderGroupState> {
  const run = new GroupRun(input);
  registerGroupHandlers(run);
  await placeOpeningLegs(run);
  await saveGroup(run);
  while (!run.finished) await planAndAct(run);
  return closeGroup(run);
}
