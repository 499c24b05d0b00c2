import { isTerminal, type OrderStatus, type Side } from './order-types';

/**
 * OCO and bracket groups as data + one pure planner. A group is a position and the orders that open and close it:
 * an OCO closes a given position with two exits (target LIMIT, stop SL/SL-M); a bracket opens it with an entry and
 * closes it with the same two exits, sized to what the entry has filled. The workflow feeds the legs' latest facts to
 * `planGroup` and runs the actions it returns; nothing here knows about Temporal or the broker.
 */

export const GROUP_KINDS = ['oco', 'bracket'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
export type ExitRole = 'target' | 'stop';

export const GROUP_STATUSES = [
  'ACTIVE', // legs working
  'COMPLETED', // the position was closed by the exits (and a flatten, if they over-filled)
  'CANCELLED', // cancelled on request; whatever the entry had filled stays open (openQuantity)
  'ENTRY_NOT_FILLED', // a bracket whose entry ended (rejected, cancelled, expired) without a fill
  'ENDED_OPEN', // every leg ended but the position is still open (exits rejected or cancelled from outside)
] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** What the planner needs to know about one leg (an order workflow). */
export interface LegFacts {
  orderId: string;
  side: Side;
  status: OrderStatus;
  /** The order's total quantity in Kite terms (filled + pending). */
  quantity: number;
  filledQuantity: number;
  /** The broker holds the order, so it can be modified or cancelled. */
  atBroker: boolean;
  /** A modify or cancel the group sent has not been answered yet. */
  busy: boolean;
  cancelRequested: boolean;
  /** Execution time of the leg's last fill (ISO), to tell which exit filled first. */
  lastFillAt: string | null;
}

export interface GroupFacts {
  kind: GroupKind;
  /** The side of the position the exits close: BUY = long (exits sell), SELL = short (exits buy). */
  positionSide: Side;
  /** OCO: the position given. Bracket: ignored (the entry's filled quantity is the position). */
  positionQuantity: number;
  entry?: LegFacts;
  target?: LegFacts;
  stop?: LegFacts;
  flattens: LegFacts[];
  cancelRequested: boolean;
  /** The exit whose complete fill ended the trade, once seen. */
  triggeredBy: ExitRole | null;
  /** Excess (exits filled beyond the position) already recorded as detected. */
  excessRecorded: number;
  /** A modify to this quantity was refused for this leg: do not ask again until the facts change it. */
  refusedResizes: Record<string, number>;
  maxFlattens: number;
}

export type CancelReason = 'oco' | 'closed' | 'group-cancel';

export type GroupAction =
  | { kind: 'trigger'; by: ExitRole }
  | { kind: 'excess'; quantity: number; exitsFilled: number; position: number }
  | { kind: 'place-exits'; quantity: number }
  | { kind: 'resize'; role: ExitRole; orderId: string; from: number; to: number }
  | { kind: 'cancel'; role: string; orderId: string; reason: CancelReason }
  | { kind: 'flatten'; side: Side; quantity: number; attempt: number; reason: 'excess' | 'residual' }
  | { kind: 'finish'; status: GroupStatus; openQuantity: number; reason?: string };

export const opposite = (side: Side): Side => (side === 'BUY' ? 'SELL' : 'BUY');

export interface GroupPosition {
  /** What the group opened or was given: the bracket entry's filled quantity, or the OCO's position. */
  base: number;
  exitsFilled: number;
  /** Signed flatten fills: + when a flatten added back to the position (bought back an excess), - when it closed more. */
  flattenNet: number;
  /** Still open in the position's direction; negative = the exits over-filled (an opposite position). */
  open: number;
}

export function groupPosition(f: Pick<GroupFacts, 'kind' | 'positionSide' | 'positionQuantity' | 'entry' | 'target' | 'stop' | 'flattens'>): GroupPosition {
  const base = f.kind === 'oco' ? f.positionQuantity : f.entry?.filledQuantity ?? 0;
  const exitsFilled = (f.target?.filledQuantity ?? 0) + (f.stop?.filledQuantity ?? 0);
  const flattenNet = f.flattens.reduce((n, l) => n + (l.side === f.positionSide ? l.filledQuantity : -l.filledQuantity), 0);
  return { base, exitsFilled, flattenNet, open: base - exitsFilled + flattenNet };
}

const live = (l: LegFacts | undefined): l is LegFacts => !!l && !isTerminal(l.status);

/** The exit that filled completely first (by its last fill's time; the target on a tie). */
function firstFilledExit(f: GroupFacts): ExitRole | null {
  const filled = (['target', 'stop'] as const).filter((r) => f[r]?.status === 'FILLED');
  if (filled.length === 0) return null;
  return [...filled].sort((a, b) => (f[a]?.lastFillAt ?? '').localeCompare(f[b]?.lastFillAt ?? ''))[0];
}

/**
 * The actions the group's legs call for now. Rules: an exit is never sized above the open position (its total quantity
 * = its filled + what is still open); the first exit to fill completely ends the trade (cancel every other live leg);
 * a partial fill resizes the other exit; a bracket's exits wait for the entry's first fill; once nothing is live, an
 * excess (exits filled beyond the position) — or, after the trade ended, a late entry fill — is flattened by one order
 * of exactly that quantity; then the group finishes.
 */
export function planGroup(f: GroupFacts): GroupAction[] {
  const actions: GroupAction[] = [];
  const pos = groupPosition(f);
  let triggeredBy = f.triggeredBy;
  if (!triggeredBy) {
    triggeredBy = firstFilledExit(f);
    if (triggeredBy) actions.push({ kind: 'trigger', by: triggeredBy });
  }
  const excess = pos.exitsFilled - pos.base;
  if (excess > f.excessRecorded) actions.push({ kind: 'excess', quantity: excess - f.excessRecorded, exitsFilled: pos.exitsFilled, position: pos.base });

  const exits = (['target', 'stop'] as const).flatMap((role) => (f[role] ? [{ role, leg: f[role] as LegFacts }] : []));
  const changeable = (l: LegFacts) => live(l) && l.atBroker && !l.cancelRequested;
  if (f.cancelRequested || triggeredBy) {
    const reason: CancelReason = f.cancelRequested ? 'group-cancel' : 'oco';
    if (f.entry && changeable(f.entry)) actions.push({ kind: 'cancel', role: 'entry', orderId: f.entry.orderId, reason });
    for (const { role, leg } of exits) if (changeable(leg)) actions.push({ kind: 'cancel', role, orderId: leg.orderId, reason });
  } else {
    if (f.kind === 'bracket' && exits.length === 0 && pos.open > 0) actions.push({ kind: 'place-exits', quantity: pos.open });
    for (const { role, leg } of exits) {
      if (!changeable(leg) || leg.busy) continue;
      const to = leg.filledQuantity + Math.max(0, pos.open);
      if (pos.open <= 0) actions.push({ kind: 'cancel', role, orderId: leg.orderId, reason: 'closed' });
      else if (to !== leg.quantity && f.refusedResizes[leg.orderId] !== to) actions.push({ kind: 'resize', role, orderId: leg.orderId, from: leg.quantity, to });
    }
  }
  const anyLive = [f.entry, ...exits.map((e) => e.leg), ...f.flattens].some(live);
  const acting = actions.some((a) => a.kind === 'place-exits' || a.kind === 'cancel' || a.kind === 'resize');
  if (anyLive || acting) return actions;

  // Nothing can change the position any more: square what must be squared, then finish.
  const mustFlatten = pos.open < 0 || (pos.open > 0 && triggeredBy !== null && !f.cancelRequested);
  if (mustFlatten) {
    const attempt = f.flattens.length + 1;
    if (attempt > f.maxFlattens) {
      actions.push({ kind: 'finish', status: 'ENDED_OPEN', openQuantity: pos.open, reason: `the position is still ${pos.open} after ${f.maxFlattens} flatten orders` });
    } else {
      actions.push(pos.open < 0
        ? { kind: 'flatten', side: f.positionSide, quantity: -pos.open, attempt, reason: 'excess' }
        : { kind: 'flatten', side: opposite(f.positionSide), quantity: pos.open, attempt, reason: 'residual' });
    }
    return actions;
  }
  actions.push({ kind: 'finish', status: finalStatus(f, pos, triggeredBy), openQuantity: pos.open });
  return actions;
}

function finalStatus(f: GroupFacts, pos: GroupPosition, triggeredBy: ExitRole | null): GroupStatus {
  if (f.cancelRequested) return 'CANCELLED';
  if (pos.open === 0 && (triggeredBy !== null || pos.exitsFilled > 0)) return 'COMPLETED';
  if (f.kind === 'bracket' && pos.base === 0) return 'ENTRY_NOT_FILLED';
  return 'ENDED_OPEN';
}
