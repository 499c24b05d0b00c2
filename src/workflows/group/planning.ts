import { condition } from '@temporalio/workflow';
import { planGroup, type GroupAction } from '../../domain/order-group';
import { exitRequest, flattenRequest, flattenRole } from '../../domain/order-group-legs';
import { commandLeg, startLeg } from './legs';
import { saveGroup } from './persistence';
import type { GroupRun } from './run';

type Act<K extends GroupAction['kind']> = (run: GroupRun, a: Extract<GroupAction, { kind: K }>) => Promise<void> | void;

/**
 * One turn of the group: ask the planner what the legs' facts call for, do it, save, and wait for anything new.
 * A finish waits for every answer still on its way: an answer changes the state (a refused resize), and the group
 * must neither finish without it nor close while a command signal is in flight.
 */
export async function planAndAct(run: GroupRun): Promise<void> {
  const seen = run.seen();
  const actions = planGroup(run.facts());
  if (run.unanswered > 0 && actions.some((a) => a.kind === 'finish')) {
    await condition(() => run.unanswered === 0);
    return; // plan again with the answers in
  }
  for (const a of actions) await act(run, a);
  await saveGroup(run);
  if (!run.finished) await condition(() => run.changedSince(seen));
}

function act(run: GroupRun, a: GroupAction): Promise<void> | void {
  switch (a.kind) {
    case 'trigger': return trigger(run, a);
    case 'excess': return excess(run, a);
    case 'place-exits': return placeExits(run, a);
    case 'resize': return resize(run, a);
    case 'cancel': return cancel(run, a);
    case 'flatten': return flatten(run, a);
    case 'finish': return finish(run, a);
  }
}

const trigger: Act<'trigger'> = (run, a) => {
  run.state = { ...run.state, triggeredBy: a.by };
  run.record('OCO_TRIGGERED', { by: a.by, orderId: run.idOf(a.by), filledQuantity: run.legs.legs[run.idOf(a.by)]?.filledQuantity });
};

const excess: Act<'excess'> = (run, a) => {
  run.state = { ...run.state, excessRecorded: run.state.excessRecorded + a.quantity };
  run.record('EXCESS_DETECTED', { quantity: a.quantity, exitsFilled: a.exitsFilled, position: a.position });
};

const placeExits: Act<'place-exits'> = async (run, a) => {
  run.record('EXITS_PLACED', { quantity: a.quantity, entryFilled: run.legs.legs[run.idOf('entry')]?.filledQuantity });
  await startLeg(run, 'target', exitRequest(run.request, 'target', a.quantity));
  await startLeg(run, 'stop', exitRequest(run.request, 'stop', a.quantity));
};

const resize: Act<'resize'> = (run, a) => {
  run.busy.add(a.orderId);
  commandLeg(run, a.orderId, { kind: 'modify', changes: { quantity: a.to } }, (error) => {
    run.busy.delete(a.orderId);
    const detail = { role: a.role, orderId: a.orderId, from: a.from, to: a.to };
    if (!error) return run.record('EXIT_RESIZED', detail);
    run.state = { ...run.state, refusedResizes: { ...run.state.refusedResizes, [a.orderId]: a.to } };
    run.record('RESIZE_REFUSED', { ...detail, error });
  });
};

const cancel: Act<'cancel'> = (run, a) => {
  run.cancelSent.add(a.orderId);
  run.record('LEG_CANCEL_REQUESTED', { role: a.role, orderId: a.orderId, reason: a.reason });
  // A refused cancel of a leg that is still live is asked again (e.g. the broker was unreachable for a while).
  commandLeg(run, a.orderId, { kind: 'cancel', reason: `group ${a.reason}` }, (error) => { if (error) run.cancelSent.delete(a.orderId); });
};

const flatten: Act<'flatten'> = async (run, a) => {
  const role = flattenRole(a.attempt);
  run.flattenIds.push(run.idOf(role));
  await startLeg(run, role, flattenRequest(run.request, a.attempt, a.side, a.quantity));
  run.record('FLATTEN_PLACED', { role, orderId: run.idOf(role), side: a.side, quantity: a.quantity, reason: a.reason, attempt: a.attempt });
};

const finish: Act<'finish'> = (run, a) => {
  run.state = { ...run.state, status: a.status, statusMessage: a.reason ?? null };
  run.record('GROUP_FINISHED', { status: a.status, openQuantity: a.openQuantity, ...(a.reason ? { reason: a.reason } : {}) });
  run.finished = true;
};
