import { condition } from '@temporalio/workflow';
import { isTerminal } from '../../domain/order-types';
import { closableQuantity, exitClientId, exitOrderRequest, type CloseReason } from '../../domain/position-monitor';
import { reads, type MonitorRun } from './run';

type PositionRead = Awaited<ReturnType<typeof reads.readOpenPosition>>;

/** What an exit may close now: re-read, because the position may have been closed by hand. */
export async function closable(run: MonitorRun): Promise<{ quantity: number; read: PositionRead }> {
  const read = await reads.readOpenPosition(run.positionKey());
  return { quantity: closableQuantity(run.entry.side, run.state.openQuantity, read.strategyQuantity, read.brokerQuantity), read };
}

/** Closes what is left by up to maxExitAttempts reduce-only MARKET exits, each sized to what is still open. */
export async function closePosition(run: MonitorRun, reason: CloseReason): Promise<void> {
  run.state = { ...run.state, status: 'CLOSING', closeReason: reason };
  run.record('CLOSE_STARTED', { reason, held: run.state.openQuantity, lastPrice: run.state.lastPricePaise });
  const first = run.state.exits.length + 1;
  for (let attempt = first; attempt < first + run.policy.maxExitAttempts; attempt++) {
    const c = await closable(run);
    if (c.quantity === 0) {
      run.record('NOTHING_TO_CLOSE', { held: run.state.openQuantity, ...c.read });
      const exitFilled = run.state.exits.some((x) => x.filledQuantity > 0);
      run.state = { ...run.state, openQuantity: 0 };
      return run.finish(exitFilled ? 'CLOSED' : 'CLOSED_ELSEWHERE', { reason });
    }
    await placeExit(run, attempt, c, reason);
    if (run.state.openQuantity === 0) return run.finish('CLOSED', { reason });
  }
  run.finish('ENDED_OPEN', { reason, message: `${run.policy.maxExitAttempts} exit orders did not close the position` });
}

/** One exit order (a child order workflow), followed until it is final. */
async function placeExit(run: MonitorRun, attempt: number, c: { quantity: number; read: PositionRead }, reason: CloseReason): Promise<void> {
  const e = run.entry;
  const request = exitOrderRequest(e, attempt, c.quantity, reason, run.state.monitorId);
  const orderId = `order-${exitClientId(e.clientOrderId, attempt)}`;
  await run.legs.start({ orderId, role: `exit-${attempt}`, request, receivedAt: run.now(), riskCovered: true });
  run.state = { ...run.state, exits: [...run.state.exits, { orderId, quantity: c.quantity, filledQuantity: 0, status: 'RECEIVED' }] };
  run.record('EXIT_PLACED', { orderId, side: request.side, quantity: c.quantity, reason, ...c.read });
  await condition(() => isTerminal(run.legs.legs[orderId].status));
  const leg = run.legs.legs[orderId];
  run.state = {
    ...run.state, openQuantity: run.state.openQuantity - leg.filledQuantity,
    exits: run.state.exits.map((x) => (x.orderId === orderId ? { ...x, filledQuantity: leg.filledQuantity, status: leg.status } : x)),
  };
  run.record('EXIT_FINISHED', { orderId, status: leg.status, filledQuantity: leg.filledQuantity, averagePrice: leg.averagePrice });
}
