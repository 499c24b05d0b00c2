import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { groupAnswer, type GroupAnswer } from '../../domain/order-group-state';
import { cancelGroupUpdate, GroupFailureTypes, groupStateQuery, type CancelGroupRequest } from '../order-group-messages';
import type { GroupRun } from './run';

/** The group's query (the legs as last reported) and its cancel update (answered once every live leg has been asked). */
export function registerGroupHandlers(run: GroupRun): void {
  setHandler(groupStateQuery, () => run.current());
  setHandler(cancelGroupUpdate, (req) => cancelGroup(run, req), { validator: (_req) => refuseCancelUnlessActive(run) });
}

async function cancelGroup(run: GroupRun, req: CancelGroupRequest): Promise<GroupAnswer> {
  run.state = { ...run.state, cancelRequested: true };
  run.record('GROUP_CANCELLED', { reason: req.reason ?? null, liveLegs: run.liveRoles() });
  run.tick += 1;
  await condition(() => run.finished || run.everyLegAsked());
  return groupAnswer(run.current());
}

function refuseCancelUnlessActive(run: GroupRun): void {
  const s = run.state;
  const refuse = (why: string) => ApplicationFailure.create({ type: GroupFailureTypes.groupNotCancellable, nonRetryable: true, message: `group ${s.groupId} ${why}` });
  if (s.status !== 'ACTIVE') throw refuse(`is ${s.status}`);
  if (s.cancelRequested) throw refuse('is already being cancelled');
}
