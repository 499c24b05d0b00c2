/**
 * What a halt does to each live order: cancel it (it opens or adds exposure, or is not an exit the OMS manages), or
 * keep it because it protects an open position. A halt must never leave a position less protected than before, and
 * must never leave an order working whose fill could add risk. Pure: the caller reads the live orders and books.
 *
 * Protective = an exit the OMS manages (an OCO/bracket target or stop, a group's flatten, a position monitor's exit)
 * whose fill can only reduce the absolute open position of its strategy book on that contract. A group's target and
 * stop are one exit: the group cancels the other when one fills, and resizes it to what is still open after a partial
 * fill, so together they need room for what the group still holds (the smaller remainder: a resize may be on its way);
 * exits are given room oldest first, and an exit that does not fit in what is left of the position is cancelled (its
 * fill could take the book past flat).
 */
import type { Side } from './order-types';

export interface HaltOrderFacts {
  orderId: string;
  strategyId: string;
  exchange: string;
  tradingsymbol: string;
  product: string;
  side: Side;
  quantity: number;
  filledQuantity: number;
  /** The group (`group-…`), monitor (`monitor-…`) or order (a split's parent) this order is a leg of. */
  parentId: string | null;
  /** Its role there: entry, target, stop, flatten-N, exit-N, slice-N. */
  legRole: string | null;
}

/** A strategy book's net quantity on one contract: + long, - short. */
export interface HaltBookFacts { strategyId: string; exchange: string; tradingsymbol: string; product: string; quantity: number }

export type KeepReason = 'GROUP_EXIT' | 'GROUP_FLATTEN' | 'MONITOR_EXIT' | 'SLICE_OF_KEPT';
export type HaltCancelReason = 'ENTRY' | 'NOT_PROTECTIVE' | 'NOT_REDUCING' | 'OVER_CLOSES' | 'FLATTENING';

export type HaltDecision =
  | { orderId: string; action: 'keep'; reason: KeepReason; message: string }
  | { orderId: string; action: 'cancel'; reason: HaltCancelReason; message: string };

export interface HaltPlanOptions {
  /** The halt flattens every book itself (killSwitch.flattenPositions): exits would over-close with it, so none is kept. */
  flattening: boolean;
}

const GROUP_PREFIX = 'group-';
const MONITOR_PREFIX = 'monitor-';

type Exit = { kind: KeepReason; unit: string };

/** The managed exit an order is, if any; `unit`: orders that can never both fill (a group's target and stop). */
export function managedExitOf(o: Pick<HaltOrderFacts, 'parentId' | 'legRole' | 'orderId'>): Exit | null {
  const { parentId, legRole } = o;
  if (!parentId || !legRole) return null;
  if (parentId.startsWith(GROUP_PREFIX)) {
    if (legRole === 'target' || legRole === 'stop') return { kind: 'GROUP_EXIT', unit: `${parentId}:exits` };
    if (/^flatten-\d+$/.test(legRole)) return { kind: 'GROUP_FLATTEN', unit: o.orderId };
    return null;
  }
  if (parentId.startsWith(MONITOR_PREFIX) && /^exit-\d+$/.test(legRole)) return { kind: 'MONITOR_EXIT', unit: o.orderId };
  return null;
}

const bookKey = (o: Pick<HaltBookFacts, 'strategyId' | 'exchange' | 'tradingsymbol' | 'product'>) => `${o.strategyId}|${o.exchange}|${o.tradingsymbol}|${o.product}`;
const remaining = (o: HaltOrderFacts) => Math.max(0, o.quantity - o.filledQuantity);
const describeBook = (q: number) => (q > 0 ? `long ${q}` : q < 0 ? `short ${-q}` : 'flat');

/**
 * One decision per order, in the order given (oldest first: the older exit gets the room first). A split slice whose
 * parent is in the list follows its parent; every other order is judged on its own.
 */
export function planHaltSweep(orders: readonly HaltOrderFacts[], books: readonly HaltBookFacts[], opts: HaltPlanOptions): HaltDecision[] {
  const bookQty = new Map(books.map((b) => [bookKey(b), b.quantity]));
  const byId = new Map(orders.map((o) => [o.orderId, o]));
  const isSlice = (o: HaltOrderFacts) => o.parentId !== null && byId.has(o.parentId);
  const units = new Map<string, HaltOrderFacts[]>();
  for (const o of orders) {
    const exit = isSlice(o) ? null : managedExitOf(o);
    if (exit) units.set(exit.unit, [...(units.get(exit.unit) ?? []), o]);
  }
  const unitDecision = new Map<string, HaltDecision>();
  const used = new Map<string, number>();
  const decided = new Map<string, HaltDecision>();

  for (const o of orders) {
    if (isSlice(o)) continue;
    const exit = managedExitOf(o);
    if (!exit) {
      const entry = o.legRole === 'entry' && o.parentId?.startsWith(GROUP_PREFIX);
      decided.set(o.orderId, entry
        ? { orderId: o.orderId, action: 'cancel', reason: 'ENTRY', message: `the entry of ${o.parentId} adds to the position; its exits (if any) are kept` }
        : { orderId: o.orderId, action: 'cancel', reason: 'NOT_PROTECTIVE', message: 'not an exit of an OCO, bracket or position monitor' });
      continue;
    }
    const d = unitDecision.get(exit.unit) ?? judgeUnit(exit, units.get(exit.unit) ?? [o], bookQty, used, opts);
    unitDecision.set(exit.unit, d);
    decided.set(o.orderId, { ...d, orderId: o.orderId });
  }
  return orders.map((o) => decided.get(o.orderId) ?? followParent(o, byId, decided));
}

/** Whether one exit (a group's target + stop together, or a single close) may stay working through the halt. */
function judgeUnit(exit: Exit, legs: HaltOrderFacts[], bookQty: Map<string, number>, used: Map<string, number>, opts: HaltPlanOptions): HaltDecision {
  const first = legs[0];
  const what = `${exit.kind === 'GROUP_FLATTEN' ? 'a flatten' : 'an exit'} of ${first.parentId}`;
  const cancel = (reason: HaltCancelReason, message: string): HaltDecision => ({ orderId: first.orderId, action: 'cancel', reason, message: `${what}: ${message}` });
  if (opts.flattening) return cancel('FLATTENING', 'the halt flattens the position itself (killSwitch.flattenPositions), and both could fill');
  const key = bookKey(first);
  const held = bookQty.get(key) ?? 0;
  const book = `${first.strategyId} ${first.exchange}:${first.tradingsymbol} ${first.product}`;
  const sameContract = legs.every((l) => bookKey(l) === key && l.side === first.side);
  const reduces = first.side === 'SELL' ? held > 0 : held < 0;
  if (!sameContract || !reduces) return cancel('NOT_REDUCING', `it ${first.side === 'SELL' ? 'sells' : 'buys'} while the book ${book} is ${describeBook(held)}, so a fill would open or add`);
  // A group keeps its exits at its own open position: after a partial fill of one, the other is resized down to it
  // (and any excess the race lets through is flattened by the group), so the smaller remainder is the group's exposure.
  const size = Math.min(...legs.map(remaining));
  const room = Math.abs(held) - (used.get(key) ?? 0);
  if (size > room) return cancel('OVER_CLOSES', `it could ${first.side === 'SELL' ? 'sell' : 'buy'} ${size} but only ${room} of the ${describeBook(held)} in ${book} is not already covered by older exits, so a fill could take the book past flat`);
  used.set(key, (used.get(key) ?? 0) + size);
  return { orderId: first.orderId, action: 'keep', reason: exit.kind, message: `${what}: ${first.side === 'SELL' ? 'sells' : 'buys'} at most ${size} of the ${describeBook(held)} in ${book}` };
}

/** A slice goes with its parent: kept when the parent is kept, otherwise cancelled with it (through the parent). */
function followParent(o: HaltOrderFacts, byId: Map<string, HaltOrderFacts>, decided: Map<string, HaltDecision>): HaltDecision {
  let parent = o.parentId ? byId.get(o.parentId) : undefined;
  while (parent && !decided.has(parent.orderId)) parent = parent.parentId ? byId.get(parent.parentId) : undefined;
  const d = parent ? decided.get(parent.orderId) : undefined;
  if (d?.action === 'keep') return { orderId: o.orderId, action: 'keep', reason: 'SLICE_OF_KEPT', message: `a slice of ${d.orderId}, which is kept` };
  return { orderId: o.orderId, action: 'cancel', reason: d?.reason ?? 'NOT_PROTECTIVE', message: `a slice of ${o.parentId}, cancelled with it` };
}
