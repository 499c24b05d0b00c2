import type { OrderRequest } from '../../domain/order-types';
import { entryRequest, exitRequest } from '../../domain/order-group-legs';
import type { LegBook } from '../child-orders';
import type { GroupRun } from './run';

/** Starts one leg (an order workflow of its own); only the entry opens exposure, so only it goes through the risk gate. */
export async function startLeg(run: GroupRun, role: string, request: OrderRequest): Promise<void> {
  const orderId = run.idOf(role);
  run.roleOf[orderId] = role;
  await run.legs.start({ orderId, role, request, receivedAt: run.now(), riskCovered: role !== 'entry' });
  run.record('LEG_STARTED', { role, orderId, side: request.side, orderType: request.orderType, quantity: request.quantity });
}

/** An OCO starts with both exits for the whole position; a bracket with its entry (the exits wait for its first fill). */
export async function placeOpeningLegs(run: GroupRun): Promise<void> {
  const g = run.request;
  if (g.kind === 'oco') {
    await startLeg(run, 'target', exitRequest(g, 'target', g.quantity));
    await startLeg(run, 'stop', exitRequest(g, 'stop', g.quantity));
  } else {
    await startLeg(run, 'entry', entryRequest(g));
  }
}

/** Sends a command to a leg without blocking the planner; the answer is applied by `onAnswer`, then wakes the planner. */
export function commandLeg(run: GroupRun, orderId: string, body: Parameters<LegBook['command']>[1], onAnswer: (error?: string) => void): void {
  run.unanswered += 1;
  void run.legs.command(orderId, body).then((r) => r.error, (err: unknown) => String(err)).then((error) => {
    run.unanswered -= 1;
    onAnswer(error);
    run.tick += 1;
  });
}
