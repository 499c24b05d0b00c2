import {
  allHandlersFinished, ApplicationFailure, condition, continueAsNew, log, ParentClosePolicy, proxyActivities, setHandler, startChild, upsertSearchAttributes, workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { MonitorActivities } from '../activities/monitor-activities';
import type { OrderActivities } from '../activities/create-activities';
import { payloadHash } from '../domain/hash';
import { groupIdFor } from '../domain/order-group-legs';
import type { OrderGroupState } from '../domain/order-group-state';
import { isTerminal } from '../domain/order-types';
import {
  closableQuantity, deadlinesFor, dueDeadline, exitClientId, exitOrderRequest, initialMonitorState, isFinalMonitorStatus, msToDeadline,
  ocoGroupRequest, priceExit, withMonitorEpisode, type CloseReason, type MonitorStatus, type PositionMonitorState,
} from '../domain/position-monitor';
import { LegBook } from './child-orders';
import { orderGroupWorkflow } from './order-group';
import { cancelMonitorUpdate, MonitorFailureTypes, positionMonitorQuery, type PositionMonitorInput } from './position-monitor-messages';
import { OrderClientId, OrderParent, OrderStatus, OrderStrategyId, OrderSymbol } from './search-attributes';

const reads = proxyActivities<MonitorActivities>({
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});
/** A price poll that fails is skipped, not retried: the next poll asks again. */
const market = proxyActivities<Pick<OrderActivities, 'getLastPrice'>>({ startToCloseTimeout: '15s', retry: { maximumAttempts: 2 } });

/**
 * One entry order's position: once the entry is final, its take profit / stop loss rest at the broker as an OCO group
 * (a child orderGroupWorkflow) or are watched here on the LTP; the MIS square-off and the position timeout close what is
 * left with a reduce-only MARKET exit (a child order workflow), OCO legs cancelled first.
 */
export async function positionMonitorWorkflow(input: PositionMonitorInput): Promise<PositionMonitorState> {
  const nowMs = () => Date.now(); // the workflow clock: deterministic on replay, skipped by the test server
  const now = () => new Date(nowMs()).toISOString();
  let state = input.resume ?? initialMonitorState({ monitorId: input.monitorId, entryOrderId: input.entryOrderId, entry: input.entry, policy: input.policy, at: input.receivedAt });
  const e = state.entry;
  const p = state.policy;
  const legs = new LegBook(state.monitorId, input.config);
  let group: ChildWorkflowHandle<typeof orderGroupWorkflow> | null = null;
  let groupResult: OrderGroupState | null = null;

  const record = (type: string, detail: Record<string, unknown> = {}) => { state = withMonitorEpisode(state, type, detail, now()); };
  const finish = (status: MonitorStatus, detail: Record<string, unknown> = {}) => {
    state = { ...state, status };
    record('MONITOR_FINISHED', { status, openQuantity: state.openQuantity, ...detail });
  };
  const positionKey = { strategyId: e.strategyId, tradingsymbol: e.tradingsymbol, exchange: e.exchange, product: e.product };

  setHandler(positionMonitorQuery, () => state);
  setHandler(cancelMonitorUpdate, async (req) => {
    state = { ...state, cancelRequested: true };
    record('CANCEL_REQUESTED', { reason: req.reason ?? null });
    await condition(() => isFinalMonitorStatus(state.status));
    return state;
  }, {
    validator: (_req) => {
      const refuse = (why: string) => { throw ApplicationFailure.create({ type: MonitorFailureTypes.monitorNotCancellable, nonRetryable: true, message: `monitor ${state.monitorId} ${why}` }); };
      if (isFinalMonitorStatus(state.status)) refuse(`has ended ${state.status}`);
      if (state.status === 'CLOSING') refuse('is closing the position');
      if (state.cancelRequested) refuse('is already being cancelled');
    },
  });

  /** Sleeps until `ms` pass or a cancel arrives; continues as new first when the history has grown long. */
  const idle = async (ms: number | null): Promise<void> => {
    // Never while a cancel is being answered: its update handler would be dropped with the run.
    if (!state.cancelRequested && workflowInfo().historyLength > (input.maxHistoryEvents ?? 5_000)) {
      await continueAsNew<typeof positionMonitorWorkflow>({ ...input, resume: state });
    }
    if (ms === null) await condition(() => state.cancelRequested);
    else if (ms > 0) await condition(() => state.cancelRequested, ms);
  };

  const waitForEntry = async (): Promise<boolean> => {
    let delay = p.entryPollMinMs;
    for (;;) {
      const entry = await reads.readEntryOrder({ orderId: state.entryOrderId });
      if (entry && (entry.status !== state.entryStatus || entry.filledQuantity !== state.entryFilled)) {
        state = { ...state, entryStatus: entry.status, entryFilled: entry.filledQuantity };
        delay = p.entryPollMinMs;
      } else delay = Math.min(delay * 2, p.entryPollMaxMs);
      if (entry?.final) {
        if (entry.filledQuantity === 0) { finish('ENTRY_NOT_FILLED', { entryStatus: entry.status }); return false; }
        const opened = nowMs();
        state = { ...state, openQuantity: entry.filledQuantity, openedAt: now(), ...deadlinesFor(opened, p) };
        record('POSITION_OPENED', {
          side: e.side, quantity: entry.filledQuantity, entryStatus: entry.status, watching: state.watching,
          squareOffDueAt: iso(state.squareOffDueMs), timeoutDueAt: iso(state.timeoutDueMs),
        });
        return true;
      }
      if (state.cancelRequested) { finish('CANCELLED', { entryStatus: entry?.status ?? null }); return false; }
      await idle(delay);
      if (state.cancelRequested) { finish('CANCELLED', { entryStatus: state.entryStatus }); return false; }
    }
  };

  /** What an exit may close now: re-read, because the position may have been closed by hand. */
  const closable = async (): Promise<{ quantity: number; read: Awaited<ReturnType<MonitorActivities['readOpenPosition']>> }> => {
    const read = await reads.readOpenPosition(positionKey);
    return { quantity: closableQuantity(e.side, state.openQuantity, read.strategyQuantity, read.brokerQuantity), read };
  };

  /** Closes what is left by up to maxExitAttempts reduce-only MARKET exits, each sized to what is still open. */
  const close = async (reason: CloseReason): Promise<void> => {
    state = { ...state, status: 'CLOSING', closeReason: reason };
    record('CLOSE_STARTED', { reason, held: state.openQuantity, lastPrice: state.lastPricePaise });
    for (let attempt = state.exits.length + 1; attempt <= state.exits.length + p.maxExitAttempts; attempt++) {
      const c = await closable();
      if (c.quantity === 0) {
        record('NOTHING_TO_CLOSE', { held: state.openQuantity, ...c.read });
        const exitFilled = state.exits.some((x) => x.filledQuantity > 0);
        state = { ...state, openQuantity: 0 };
        return finish(exitFilled ? 'CLOSED' : 'CLOSED_ELSEWHERE', { reason });
      }
      const request = exitOrderRequest(e, attempt, c.quantity, reason, state.monitorId);
      const orderId = `order-${exitClientId(e.clientOrderId, attempt)}`;
      await legs.start({ orderId, role: `exit-${attempt}`, request, receivedAt: now(), riskCovered: true });
      state = { ...state, exits: [...state.exits, { orderId, quantity: c.quantity, filledQuantity: 0, status: 'RECEIVED' }] };
      record('EXIT_PLACED', { orderId, side: request.side, quantity: c.quantity, reason, ...c.read });
      await condition(() => isTerminal(legs.legs[orderId].status));
      const leg = legs.legs[orderId];
      state = {
        ...state, openQuantity: state.openQuantity - leg.filledQuantity,
        exits: state.exits.map((x) => (x.orderId === orderId ? { ...x, filledQuantity: leg.filledQuantity, status: leg.status } : x)),
      };
      record('EXIT_FINISHED', { orderId, status: leg.status, filledQuantity: leg.filledQuantity, averagePrice: leg.averagePrice });
      if (state.openQuantity === 0) return finish('CLOSED', { reason });
    }
    finish('ENDED_OPEN', { reason, message: `${p.maxExitAttempts} exit orders did not close the position` });
  };

  /** Places the OCO group for what is open; false when nothing is (closed by hand already). */
  const placeOco = async (): Promise<boolean> => {
    const c = await closable();
    const request = ocoGroupRequest(e, c.quantity, state.monitorId, state.policy.stopLimitOffsetBps ?? null);
    if (c.quantity === 0 || !request) {
      record('NOTHING_TO_CLOSE', { held: state.openQuantity, ...c.read });
      state = { ...state, openQuantity: 0 };
      finish('CLOSED_ELSEWHERE');
      return false;
    }
    const groupId = groupIdFor(request.clientOrderId);
    group = await startChild(orderGroupWorkflow, {
      workflowId: groupId, parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ groupId, request, payloadHash: payloadHash(request), receivedAt: now(), config: input.config }],
      typedSearchAttributes: [
        { key: OrderClientId, value: request.clientOrderId }, { key: OrderSymbol, value: request.tradingsymbol },
        { key: OrderStrategyId, value: request.strategyId }, { key: OrderStatus, value: 'ACTIVE' }, { key: OrderParent, value: state.monitorId },
      ],
    });
    // A group that fails (it should not) is treated as ended with the position still open: the deadlines still apply.
    void group.result().then((r) => { groupResult = r; }, (err: unknown) => {
      record('OCO_FAILED', { groupId, error: String(err) });
      groupResult = { ...(state as unknown as OrderGroupState), status: 'ENDED_OPEN', position: { base: c.quantity, exitsFilled: 0, flattenNet: 0, open: state.openQuantity } };
    });
    state = { ...state, status: 'OCO_PLACED', groupId, openQuantity: c.quantity };
    record('OCO_PLACED', { groupId, quantity: c.quantity, target: e.takeProfitPaise, stopTrigger: e.stopLossPaise });
    return true;
  };

  /** Asks the OCO group to cancel its legs and waits until every leg is final: then an exit can never double. */
  const cancelOco = async (reason: string): Promise<OrderGroupState> => {
    const groupId = state.groupId as string;
    const answer = await reads.cancelOrderGroup({ groupId, reason });
    record('OCO_CANCEL_REQUESTED', { groupId, reason, groupStatus: answer.status });
    await condition(() => groupResult !== null);
    const r = groupResult as unknown as OrderGroupState;
    state = { ...state, openQuantity: Math.max(0, Math.min(state.openQuantity, r.position.open)) };
    record('OCO_ENDED', { groupId, status: r.status, open: r.position.open });
    return r;
  };

  /** OCO mode: wait for the group to end, a deadline, or a cancel. Returns the deadline to close for, or null when done. */
  const superviseOco = async (): Promise<CloseReason | null> => {
    const ms = msToDeadline(nowMs(), state);
    if (ms === null) await condition(() => groupResult !== null || state.cancelRequested);
    else if (ms > 0) await condition(() => groupResult !== null || state.cancelRequested, ms);
    if (state.cancelRequested) {
      await cancelOco('monitor cancelled');
      finish('CANCELLED');
      return null;
    }
    if (groupResult === null) {
      const due = dueDeadline(nowMs(), state) ?? 'timeout';
      const r = await cancelOco(due);
      if (r.status === 'COMPLETED' || state.openQuantity === 0) { finish('CLOSED_BY_OCO'); return null; }
      return due;
    }
    const r = groupResult as OrderGroupState;
    state = { ...state, openQuantity: Math.max(0, Math.min(state.openQuantity, r.position.open)) };
    record('OCO_ENDED', { groupId: state.groupId, status: r.status, open: r.position.open });
    if (r.status === 'COMPLETED' || state.openQuantity === 0) { finish('CLOSED_BY_OCO'); return null; }
    // The group ended with the position open (its exits were cancelled or rejected): only the deadlines are left.
    state = { ...state, status: 'WATCHING', watching: 'deadlines' };
    return watch();
  };

  /** Watch mode (and "deadlines only"): poll the LTP until a level is crossed or a deadline falls due. */
  const watch = async (): Promise<CloseReason | null> => {
    state = { ...state, status: 'WATCHING' };
    for (;;) {
      const due = dueDeadline(nowMs(), state);
      if (due) return due;
      if (state.cancelRequested) { finish('CANCELLED'); return null; }
      if (state.watching === 'watch') {
        const ltp = await market.getLastPrice({ exchange: e.exchange, tradingsymbol: e.tradingsymbol }).catch(() => null);
        if (ltp !== null) state = { ...state, lastPricePaise: ltp };
        const hit = priceExit(e.side, e, ltp);
        if (hit) return hit;
      } else if (msToDeadline(nowMs(), state) === null) {
        finish('ENDED_OPEN', { message: 'the OCO ended with the position open and no square-off or timeout applies' });
        return null;
      }
      const toDeadline = msToDeadline(nowMs(), state);
      const poll = state.watching === 'watch' ? p.pricePollMs : null;
      await idle(toDeadline === null ? poll : poll === null ? toDeadline : Math.min(poll, toDeadline));
    }
  };

  let reason: CloseReason | null = null;
  if (state.status === 'WAITING_FOR_ENTRY' && !(await waitForEntry())) return done();
  if (state.status === 'WAITING_FOR_ENTRY') {
    const dueAtOpen = dueDeadline(nowMs(), state); // e.g. an MIS entry that filled after the square-off time
    if (dueAtOpen) reason = dueAtOpen;
    else if (state.watching === 'oco') {
      if (!(await placeOco())) return done();
      reason = await superviseOco();
    } else reason = await watch();
  } else if (state.status === 'WATCHING') reason = await watch(); // resumed after continue-as-new
  if (reason) await close(reason);
  return done();

  async function done(): Promise<PositionMonitorState> {
    upsertSearchAttributes([{ key: OrderStatus, value: state.status }]);
    await condition(allHandlersFinished);
    log.info('position monitor finished', { monitorId: state.monitorId, status: state.status, open: state.openQuantity });
    return state;
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
