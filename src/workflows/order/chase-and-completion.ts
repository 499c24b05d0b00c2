import { completionDue, nextChaseStep } from '../../domain/execution-ladder';
import { isTerminal } from '../../domain/order-types';
import type { ModifyRequest } from '../order-messages';
import { gate } from './activities';
import { spoken } from '../timers';
import { runCommand } from './commands';
import type { Command, OrderRun } from './order-run';

/**
 * The execution ladder's first rung (a resting LIMIT chased towards the market every stepAfterMs until it fills) and
 * the partial-fill completion policy (acts once on the remainder). Both act on the same broker order through the
 * modify/cancel path a user's request takes: never a second placement.
 */

/** Starts the chase clock once the order rests at the broker. */
export function startChaseClock(run: OrderRun): void {
  run.ladderAt = run.chase && run.state.brokerOrderId && !isTerminal(run.state.status) ? Date.now() + run.chase.stepAfterMs : null;
}

export function chaseDue(run: OrderRun): boolean {
  return run.ladderAt !== null && Date.now() >= run.ladderAt && (run.state.status === 'OPEN' || run.state.status === 'PARTIALLY_FILLED');
}

export function completionWaiting(run: OrderRun): boolean {
  return !!run.completion && !run.completed && run.state.status === 'PARTIALLY_FILLED' && !!run.state.fills[0];
}

/** How long the order's loop may sleep before a rung or a time-based completion is due. */
export function nextWakeMs(run: OrderRun): number {
  let wait = run.ladderAt === null ? run.idleMs : Math.max(1, Math.min(run.idleMs, run.ladderAt - Date.now()));
  const c = run.completion;
  if (completionWaiting(run) && c?.policy === 'time') wait = Math.max(1, Math.min(wait, partlyFilledAt(run) + (c.afterMs ?? 0) - Date.now()));
  return wait;
}

/** What the next wake-up is for, as its timer's summary says. */
export function wakeSummary(run: OrderRun, ms: number): string {
  const c = run.completion;
  const completionAt = completionWaiting(run) && c?.policy === 'time' ? partlyFilledAt(run) + (c.afterMs ?? 0) - Date.now() : Infinity;
  const ladderIn = run.ladderAt === null ? Infinity : run.ladderAt - Date.now();
  const what = completionAt <= ms ? 'the partial-fill completion' : ladderIn <= ms ? 'the next chase rung' : 'the next read of the broker';
  return `wait ${spoken(ms)} for ${what} (sooner on broker news or a command)`;
}

/** When the OMS saw the order partly filled, on the workflow clock (the broker's trade time may run on another). */
function partlyFilledAt(run: OrderRun): number {
  return Date.parse(run.state.history.find((h) => h.status === 'PARTIALLY_FILLED')?.at ?? run.state.updatedAt);
}

/** One rung: re-price towards the market (or convert to MARKET). */
export async function climbLadder(run: OrderRun): Promise<void> {
  const chase = run.chase;
  if (!chase) return;
  run.ladderStep += 1;
  const s = run.state;
  const ltp = await gate.getLastPrice({ exchange: s.request.exchange, tradingsymbol: s.request.tradingsymbol, strategyId: s.request.strategyId });
  const step = nextChaseStep({
    side: s.request.side, originalPricePaise: s.request.pricePaise as number, currentPricePaise: s.pricePaise ?? (s.request.pricePaise as number),
    ltpPaise: ltp, tickPaise: s.instrument?.tickSizePaise ?? 5, step: run.ladderStep, policy: chase,
  });
  run.apply({ type: 'LADDER_STEP', step: { ...step }, at: run.now() });
  if (step.kind === 'done' || (step.kind === 'reprice' && step.pricePaise === run.state.pricePaise)) {
    run.ladderAt = step.kind === 'done' ? null : Date.now() + chase.stepAfterMs;
    return;
  }
  const command: Command = { kind: 'modify', changes: step.kind === 'market' ? { orderType: 'MARKET' } : { pricePaise: step.pricePaise }, by: 'workflow:chase', done: false };
  await runCommand(run, command);
  if (command.error) {
    run.apply({ type: 'LADDER_STOPPED', reason: command.error.message, at: run.now() });
    run.ladderAt = null;
    return;
  }
  run.ladderAt = step.kind === 'market' ? null : Date.now() + chase.stepAfterMs;
}

/** Acts on the remainder once the order's completion policy says so; false when it is not due yet. */
export async function completeRemainder(run: OrderRun): Promise<boolean> {
  const completion = run.completion;
  if (!completion) return false;
  const { exchange, tradingsymbol } = run.state.request;
  const fill = run.state.fills[0];
  const ltp = completion.policy === 'price' ? await gate.getLastPrice({ exchange, tradingsymbol, strategyId: run.state.request.strategyId }) : null;
  const action = completionDue(completion, { firstFillAtMs: partlyFilledAt(run), firstFillPricePaise: fill.pricePaise, nowMs: Date.now(), ltpPaise: ltp });
  if (!action) return false;
  run.completed = true;
  run.ladderAt = null; // the remainder is being completed: no more rungs
  run.apply({ type: 'COMPLETION_TRIGGERED', policy: completion.policy, action, at: run.now() });
  const command: Command = action === 'cancel'
    ? { kind: 'cancel', reason: `completion policy ${completion.policy}`, by: `workflow:completion ${completion.policy}`, done: false }
    : { kind: 'modify', changes: action === 'reprice' ? await repriceChanges(run, ltp) : { orderType: 'MARKET' }, by: `workflow:completion ${completion.policy}`, done: false };
  await runCommand(run, command);
  if (command.error) run.apply({ type: 'LADDER_STOPPED', reason: `completion: ${command.error.message}`, at: run.now() });
  return true;
}

/** The remainder re-priced to the last price (rounded to the tick on the side that fills), or MARKET without one. */
async function repriceChanges(run: OrderRun, ltp: number | null): Promise<ModifyRequest> {
  const s = run.state;
  const last = ltp ?? (await gate.getLastPrice({ exchange: s.request.exchange, tradingsymbol: s.request.tradingsymbol, strategyId: s.request.strategyId }));
  if (last === null || s.orderType !== 'LIMIT') return { orderType: 'MARKET' };
  const tick = s.instrument?.tickSizePaise ?? 5;
  return { pricePaise: s.request.side === 'BUY' ? Math.ceil(last / tick) * tick : Math.floor(last / tick) * tick };
}
