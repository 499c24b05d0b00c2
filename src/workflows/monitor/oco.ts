import { condition, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { payloadHash } from '../../domain/hash';
import { groupIdFor } from '../../domain/order-group-legs';
import type { OrderGroupState } from '../../domain/order-group-state';
import { dueDeadline, msToDeadline, ocoGroupRequest, type CloseReason } from '../../domain/position-monitor';
import { orderGroupWorkflow } from '../order-group';
import { OrderClientId, OrderParent, OrderStatus, OrderStrategyId, OrderSymbol } from '../search-attributes';
import { closable } from './exit';
import { spoken, waitUntil } from '../timers';
import { reads, type MonitorRun } from './run';
import { watch } from './watch';

/** Places the OCO group for what is open; false when nothing is (closed by hand already). */
export async function placeOco(run: MonitorRun): Promise<boolean> {
  const c = await closable(run);
  const request = ocoGroupRequest(run.entry, c.quantity, run.state.monitorId, run.policy.stopLimitOffsetBps ?? null);
  if (c.quantity === 0 || !request) {
    run.record('NOTHING_TO_CLOSE', { held: run.state.openQuantity, ...c.read });
    run.state = { ...run.state, openQuantity: 0 };
    run.finish('CLOSED_ELSEWHERE');
    return false;
  }
  const groupId = groupIdFor(request.clientOrderId);
  const group = await startChild(orderGroupWorkflow, {
    workflowId: groupId, parentClosePolicy: ParentClosePolicy.ABANDON,
    args: [{ groupId, request, payloadHash: payloadHash(request), receivedAt: run.now(), config: run.input.config }],
    typedSearchAttributes: [
      { key: OrderClientId, value: request.clientOrderId }, { key: OrderSymbol, value: request.tradingsymbol },
      { key: OrderStrategyId, value: request.strategyId }, { key: OrderStatus, value: 'ACTIVE' }, { key: OrderParent, value: run.state.monitorId },
    ],
  });
  // A group that fails (it should not) is treated as ended with the position still open: the deadlines still apply.
  void group.result().then((r) => { run.groupResult = r; }, (err: unknown) => {
    run.record('OCO_FAILED', { groupId, error: String(err) });
    const position = { base: c.quantity, exitsFilled: 0, flattenNet: 0, open: run.state.openQuantity };
    run.groupResult = { ...(run.state as unknown as OrderGroupState), status: 'ENDED_OPEN', position };
  });
  run.state = { ...run.state, status: 'OCO_PLACED', groupId, openQuantity: c.quantity };
  run.record('OCO_PLACED', { groupId, quantity: c.quantity, target: run.entry.takeProfitPaise, stopTrigger: run.entry.stopLossPaise });
  return true;
}

/** OCO mode: wait for the group to end, a deadline, or a cancel. Returns the deadline to close for, or null when done. */
export async function superviseOco(run: MonitorRun): Promise<CloseReason | null> {
  const ms = msToDeadline(run.nowMs(), run.state);
  const wake = () => run.groupResult !== null || run.state.cancelRequested;
  if (ms === null) await condition(wake);
  else if (ms > 0) await waitUntil(wake, ms, `watch the OCO for ${spoken(ms)}, then close the position (timeout or square-off)`);
  if (run.state.cancelRequested) {
    await cancelOco(run, 'monitor cancelled');
    run.finish('CANCELLED');
    return null;
  }
  if (run.groupResult === null) return closeOcoForDeadline(run);
  ocoEnded(run, run.groupResult);
  if (run.groupResult.status === 'COMPLETED' || run.state.openQuantity === 0) { run.finish('CLOSED_BY_OCO'); return null; }
  // The group ended with the position open (its exits were cancelled or rejected): only the deadlines are left.
  run.state = { ...run.state, status: 'WATCHING', watching: 'deadlines' };
  return watch(run);
}

/** A deadline fell due while the OCO rested: its legs are cancelled first, then what is still open is closed. */
async function closeOcoForDeadline(run: MonitorRun): Promise<CloseReason | null> {
  const due = dueDeadline(run.nowMs(), run.state) ?? 'timeout';
  const r = await cancelOco(run, due);
  if (r.status === 'COMPLETED' || run.state.openQuantity === 0) { run.finish('CLOSED_BY_OCO'); return null; }
  return due;
}

/** Asks the OCO group to cancel its legs and waits until every leg is final: then an exit can never double. */
async function cancelOco(run: MonitorRun, reason: string): Promise<OrderGroupState> {
  const groupId = run.state.groupId as string;
  const answer = await reads.cancelOrderGroup({ groupId, reason });
  run.record('OCO_CANCEL_REQUESTED', { groupId, reason, groupStatus: answer.status });
  await condition(() => run.groupResult !== null);
  const r = run.groupResult as unknown as OrderGroupState;
  ocoEnded(run, r);
  return r;
}

/** What the ended group leaves open is what the monitor still holds (never more than it held). */
function ocoEnded(run: MonitorRun, r: OrderGroupState): void {
  run.state = { ...run.state, openQuantity: Math.max(0, Math.min(run.state.openQuantity, r.position.open)) };
  run.record('OCO_ENDED', { groupId: run.state.groupId, status: r.status, open: r.position.open });
}
