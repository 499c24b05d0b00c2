/**
 * Workflow code for the group tests that need an exact interleaving: the real orderGroupWorkflow, with its legs played
 * by a scripted stand-in registered under the order workflow's type name (LegBook starts legs by that name).
 */
import { condition, getExternalWorkflowHandle, setHandler } from '@temporalio/workflow';
import type { Fill } from '../../src/domain/order-types';
import { legCommandSignal, legUpdateSignal, type LegCommand, type LegUpdate, type OrderWorkflowInput } from '../../src/workflows/order-messages';

export { orderGroupWorkflow } from '../../src/workflows/order-group';

const fill = (quantity: number, pricePaise: number, second: number): Fill => ({
  tradeId: `T${second}`, quantity, pricePaise, executedAt: new Date(Date.UTC(2026, 10, 24, 5, 0, second)).toISOString(),
});

/**
 * target: 30 of its 90 fill, then the rest is cancelled; it says so in one update and ends.
 * stop: rests at the broker until the group sends it a command; the command meets the stop's complete fill, so the
 * leg's one last update both answers it and says FILLED, and the leg ends (a real leg may end before it answers too).
 */
export async function orderLifecycleWorkflow(input: OrderWorkflowInput): Promise<string> {
  const r = input.request;
  const parent = getExternalWorkflowHandle(input.link?.parentId ?? '');
  let sequence = 0;
  const report = (over: Partial<LegUpdate>) => parent.signal(legUpdateSignal, {
    orderId: input.orderId, sequence: ++sequence, status: 'OPEN', statusMessage: null, brokerOrderId: `B-${input.link?.role}`, quantity: r.quantity,
    pricePaise: r.pricePaise ?? null, triggerPricePaise: r.triggerPricePaise ?? null, orderType: r.orderType, filledQuantity: 0, averagePrice: null,
    fills: [], intervention: null, results: [], ...over,
  });
  const commands: LegCommand[] = [];
  setHandler(legCommandSignal, (c) => { commands.push(c); });

  if (input.link?.role === 'target') {
    await report({ status: 'CANCELLED', filledQuantity: 30, averagePrice: '120.00', fills: [fill(30, 12_000, 1)] });
    return 'CANCELLED';
  }
  await report({ status: 'OPEN' });
  await condition(() => commands.length > 0);
  const c = commands[0];
  const quantity = c.kind === 'modify' ? c.changes.quantity ?? r.quantity : r.quantity;
  await report({ status: 'FILLED', quantity, filledQuantity: quantity, averagePrice: '90.00', fills: [fill(quantity, 9_000, 2)], results: [{ id: c.id }] });
  return 'FILLED';
}
