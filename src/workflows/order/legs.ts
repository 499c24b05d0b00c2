import { condition } from '@temporalio/workflow';
import { whyNotChangeable, type SliceView } from '../../domain/order-state';
import { isTerminal } from '../../domain/order-types';
import type { LegBook } from '../child-orders';
import { FailureTypes } from '../order-messages';
import type { Command, OrderRun } from './order-run';

/** Places the order as child orders (each its own workflow, tag and history); this order then follows them. */
export async function splitInto(run: OrderRun, quantities: number[]): Promise<void> {
  const r = run.state.request;
  const views = quantities.map((quantity, i) => ({
    orderId: `${run.state.orderId}-s${i + 1}`, quantity, filledQuantity: 0, status: 'RECEIVED' as const, averagePrice: null, brokerOrderId: null,
  }));
  run.apply({ type: 'SPLIT', slices: views, at: run.now() });
  await run.flush();
  const execution = r.execution && { chase: r.execution.chase, completion: r.execution.completion };
  for (const [i, v] of views.entries()) {
    await run.legs().start({
      orderId: v.orderId, role: `slice-${i + 1}`, receivedAt: run.now(), riskCovered: true, // this order's admission reserved the whole quantity
      request: { ...r, clientOrderId: `${r.clientOrderId}-s${i + 1}`, quantity: v.quantity, split: undefined, execution },
    });
  }
}

/** A split order: its status and fills follow its slices'; a cancel cancels every live slice. */
export async function followSlices(run: OrderRun): Promise<void> {
  const book = run.legs();
  let seen = -1;
  while (!isTerminal(run.state.status)) {
    await condition(() => book.version !== seen || run.pendingCommand() !== undefined);
    seen = book.version;
    const command = run.pendingCommand();
    if (command) await commandSlices(run, book, command);
    const slices = (run.state.slices ?? []).map((v) => sliceAsLegSees(book, v));
    const fills = (run.state.slices ?? []).flatMap((v) => book.legs[v.orderId]?.fills ?? []);
    if (JSON.stringify(slices) !== JSON.stringify(run.state.slices) || fills.length !== run.state.fills.length) {
      run.apply({ type: 'SLICES_UPDATED', slices, fills, at: run.now() });
    }
    await run.flush();
  }
}

/** A cancel goes to every live slice; a split order cannot be modified (modify its slices instead). */
async function commandSlices(run: OrderRun, book: LegBook, command: Command): Promise<void> {
  if (command.kind !== 'cancel') {
    run.finish(command, { type: FailureTypes.orderNotChangeable, message: whyNotChangeable(run.state, 'modify') ?? 'a split order cannot be modified' });
    return;
  }
  run.apply({ type: 'CANCEL_REQUESTED', by: command.by, ...(command.reason ? { reason: command.reason } : {}), at: run.now() });
  for (const v of run.state.slices ?? []) {
    if (!isTerminal(book.legs[v.orderId]?.status ?? 'RECEIVED')) await book.send(v.orderId, { kind: 'cancel', reason: command.reason });
  }
  run.finish(command);
}

function sliceAsLegSees(book: LegBook, v: SliceView): SliceView {
  const leg = book.legs[v.orderId];
  return leg ? { ...v, status: leg.status, filledQuantity: leg.filledQuantity, averagePrice: leg.averagePrice, brokerOrderId: leg.brokerOrderId } : v;
}
