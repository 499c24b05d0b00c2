import { continueAsNew, log } from '@temporalio/workflow';
import { isTerminal } from '../../domain/order-types';
import type { OrderState } from '../../domain/order-state';
import type { OrderWorkflowInput } from '../order-messages';
import { waitUntil } from '../timers';
import { admit } from './admission';
import { sync } from './broker-updates';
import { chaseDue, climbLadder, completeRemainder, completionWaiting, nextWakeMs, startChaseClock, wakeSummary } from './chase-and-completion';
import { runCommand } from './commands';
import { registerHandlers } from './handlers';
import { followSlices } from './legs';
import { OrderRun } from './order-run';
import { placeOrSplit, submit } from './submit';

/** One order, from validation to a final status: submitted exactly once, followed until the broker is done. */
export async function orderLifecycleWorkflow(input: OrderWorkflowInput): Promise<OrderState> {
  const run = new OrderRun(input);
  registerHandlers(run);
  if (run.state.status === 'RECEIVED') await admit(run);
  if (run.state.status === 'PENDING') await placeOrSplit(run);
  startChaseClock(run);
  while (!isTerminal(run.state.status)) {
    if (run.state.slices?.length) {
      await followSlices(run);
    } else if (run.state.status === 'PENDING' && !run.state.brokerOrderId) {
      await submit(run); // the fallback ladder re-places a refused order with its new terms and a new tag
      await run.flush();
    } else {
      await followBrokerOrder(run);
      if (run.continueAsNewDue()) await continueAsNew<typeof orderLifecycleWorkflow>({ ...input, resume: run.state });
    }
  }
  await answerLeftoverCommands(run);
  log.info('order finished', { orderId: run.state.orderId, status: run.state.status, filledQuantity: run.state.filledQuantity });
  // The result is recorded in the history: the instrument and the payload hash are in Postgres, not repeated here.
  return { ...run.state, instrument: null, payloadHash: '' };
}

/**
 * One wake-up of an order at the broker: on a command run it; else act on a due completion or chase rung; else read
 * the broker (now on a postback hint, or at the polling interval, which backs off while nothing changes).
 */
async function followBrokerOrder(run: OrderRun): Promise<void> {
  const wakeMs = nextWakeMs(run);
  const woke = await waitUntil(() => run.brokerHint !== null || run.pendingCommand() !== undefined, wakeMs, wakeSummary(run, wakeMs));
  const seqBefore = run.state.eventSequence;
  const command = run.pendingCommand();
  // A command reads the broker itself (its confirmation); a hint that came in meanwhile wakes the next round.
  if (command) await runCommand(run, command);
  else if (completionWaiting(run) && (await completeRemainder(run))) { /* acted on the remainder */ }
  else if (chaseDue(run)) await climbLadder(run);
  else {
    const hint = run.brokerHint?.source;
    const source = hint === 'broker-book' || hint === 'broker-websocket' ? hint : hint ? 'broker-postback' : 'broker-poll';
    run.brokerHint = null;
    await sync(run, source);
  }
  await run.flush();
  run.idleMs = woke || run.state.eventSequence !== seqBefore ? run.cfg.pollMinMs : Math.min(run.idleMs * 2, run.cfg.pollMaxMs);
}

/** Commands still queued when the order ended are answered with its final status. */
async function answerLeftoverCommands(run: OrderRun): Promise<void> {
  for (const c of run.commands) if (!c.done) run.finish(c, { message: `order ${run.state.orderId} is ${run.state.status}` });
  await run.flush();
}
