import { condition, sleep } from '@temporalio/workflow';
import { validateModification } from '../../domain/order-modification';
import { compactAnswer, whyNotChangeable, type OrderAnswer, type OrderState } from '../../domain/order-state';
import { isTerminal } from '../../domain/order-types';
import { FailureTypes, type LegCommand, type ModifyRequest } from '../order-messages';
import { once } from './activities';
import { brokerCall, withRetry } from './broker-calls';
import { sync } from './broker-updates';
import { failureMessage, isAbandoned, isTransient, refusal } from './failures';
import type { Command, OrderRun } from './order-run';
import { recheckModification } from './risk';

/** A user's modify or cancel (an update): queued for the order's loop, answered when the broker confirmed it. */
export async function enqueue(run: OrderRun, command: Command): Promise<OrderAnswer> {
  run.commands.push(command);
  // An order waiting for an operator (an expired session, a placement the broker cannot confirm) cannot act now: a
  // cancel stays queued and runs once the order goes on, but is answered at once (the answer shows the intervention).
  await condition(() => command.done || (command.kind === 'cancel' && Boolean(run.state.intervention)));
  if (!command.done) return compactAnswer(run.state);
  const e = command.error;
  if (e) throw refusal(e.type ?? FailureTypes.brokerRejected, e.message, e.details);
  return compactAnswer(run.state);
}

/** A parent's command (a signal): queued once per id, answered in the next leg update. */
export function enqueueLegCommand(run: OrderRun, cmd: LegCommand): void {
  if (run.seenLegCommands.has(cmd.id)) return;
  run.seenLegCommands.add(cmd.id);
  const by = `workflow:parent ${run.state.link?.parentId ?? ''}`.trim();
  run.commands.push(cmd.kind === 'cancel'
    ? { kind: 'cancel', reason: cmd.reason, by, done: false, legId: cmd.id }
    : { kind: 'modify', changes: cmd.changes, by, done: false, legId: cmd.id });
}

/** The update validators' check: the order can still take this command. */
export function checkCommand(run: OrderRun, kind: 'modify' | 'cancel', changes?: ModifyRequest): void {
  const why = whyNotChangeable(run.state, kind);
  if (why) throw refusal(FailureTypes.orderNotChangeable, why);
  const invalid = changes && validateModification(run.state, changes);
  if (invalid) throw refusal(FailureTypes.invalidChange, invalid.message, [invalid]);
}

/** Runs a modify or cancel at the broker (a modify re-checked by the risk gate first) and waits for it to show. */
export async function runCommand(run: OrderRun, command: Command): Promise<void> {
  // A leg command must still be possible when it is processed; a user's update was checked by its validator.
  const why = command.legId ? stillImpossible(run, command) : null;
  if (why) return run.finish(command, { type: FailureTypes.orderNotChangeable, message: why });
  // Saved by the broker call that follows (send): no save of its own.
  if (command.kind === 'cancel') run.apply({ type: 'CANCEL_REQUESTED', by: command.by, ...(command.reason ? { reason: command.reason } : {}), at: run.now() });
  else run.apply({ type: 'MODIFY_REQUESTED', changes: { ...command.changes }, by: command.by, at: run.now() });
  if (command.kind === 'modify' && !run.state.link?.riskCovered) {
    const refused = await recheckModification(run, command.changes);
    if (refused) {
      await run.flush(); // the refusal is answered once its risk report is saved
      return run.finish(command, refused);
    }
  }
  let result;
  try {
    result = await brokerCall(run, `${command.kind === 'cancel' ? 'cancelling' : 'modifying'} the order`, () => withRetry(run, command.kind, () => send(run, command)));
  } catch (err) {
    if (!isTransient(err)) throw err;
    run.apply({ type: 'BROKER_UNREACHABLE', operation: command.kind, error: failureMessage(err), at: run.now() });
    return run.finish(command, { type: FailureTypes.brokerUnavailable, message: `the broker did not answer the ${command.kind}: ${failureMessage(err)}` });
  }
  if (isAbandoned(result)) return run.finish(command, { type: FailureTypes.orderNotChangeable, message: `order ${run.state.orderId} was abandoned by an operator` });
  run.saved(result.recorded);
  if (!result.ok) return await answerRefusal(run, command, result.message);
  await awaitConfirmation(run, command);
  run.finish(command);
}

function stillImpossible(run: OrderRun, command: Command): string | null {
  return whyNotChangeable(run.state, command.kind) ?? (command.kind === 'modify' ? validateModification(run.state, command.changes)?.message ?? null : null);
}

function send(run: OrderRun, command: Command) {
  const brokerOrderId = run.state.brokerOrderId as string;
  const variety = run.state.request.variety;
  const record = run.pendingSave(); // the request (and a modify's risk check) is saved by the call
  return command.kind === 'cancel'
    ? once.cancelBrokerOrder({ brokerOrderId, variety, strategyId: run.state.request.strategyId, record })
    : once.modifyBrokerOrder({ brokerOrderId, variety, changes: command.changes, validity: run.state.request.validity, strategyId: run.state.request.strategyId, record });
}

/**
 * The broker refused the request. A request re-sent after a crash or a timeout may be refused because its first send
 * already took effect ("already cancelled"): the broker's order says so, and that is a success, not a failure.
 */
async function answerRefusal(run: OrderRun, command: Command, message: string): Promise<void> {
  await sync(run, 'broker-poll');
  if (alreadyDone(run.state, command)) return run.finish(command);
  run.apply({ type: 'BROKER_REQUEST_FAILED', action: command.kind, message, at: run.now() });
  run.finish(command, { message });
}

/** Polls the broker until the command shows in its order (or the order ended), at most confirmTimeoutMs. */
async function awaitConfirmation(run: OrderRun, command: Command): Promise<void> {
  const deadline = Date.now() + run.cfg.confirmTimeoutMs;
  for (;;) {
    await sync(run, 'broker-poll');
    const confirmed = isTerminal(run.state.status) || (command.kind === 'modify' && modificationVisible(run.state, command.changes));
    if (confirmed || Date.now() >= deadline) return;
    await sleep(500, { summary: `wait 500 ms, then read the broker for the ${command.kind}'s confirmation` });
  }
}

function alreadyDone(state: OrderState, command: Command): boolean {
  return command.kind === 'cancel' ? state.status === 'CANCELLED' : !isTerminal(state.status) && modificationVisible(state, command.changes);
}

function modificationVisible(state: OrderState, changes: ModifyRequest): boolean {
  return (changes.quantity === undefined || state.quantity === changes.quantity)
    && (changes.pricePaise === undefined || state.pricePaise === changes.pricePaise)
    && (changes.triggerPricePaise === undefined || state.triggerPricePaise === changes.triggerPricePaise)
    && (changes.orderType === undefined || state.orderType === changes.orderType)
    && state.brokerStatus !== 'MODIFY VALIDATION PENDING' && state.brokerStatus !== 'MODIFY PENDING';
}
