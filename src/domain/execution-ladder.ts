import type { Side } from './order-vocabulary';

/**
 * Chasing a resting LIMIT order: after each `stepAfterMs` without a complete fill the price moves towards the market
 * in `steps` equal rungs, never more than `maxMoveBps` from the original limit and never past the market; after the
 * last rung the order may be converted to MARKET. Each modify is re-checked by the risk gate (so the band holds).
 */
export interface ChasePolicy {
  stepAfterMs: number;
  steps: number;
  maxMoveBps: number;
  thenMarket: boolean;
}

export type LadderStep =
  | { kind: 'reprice'; step: number; fromPaise: number; pricePaise: number; targetPaise: number; ltpPaise: number | null }
  | { kind: 'market'; step: number }
  | { kind: 'done'; step: number };

const floorTo = (p: number, tick: number) => Math.floor(p / tick) * tick;
const ceilTo = (p: number, tick: number) => Math.ceil(p / tick) * tick;

/** The rung `step` (1-based) of the chase for an order that has not filled yet. */
export function nextChaseStep(a: {
  side: Side; originalPricePaise: number; currentPricePaise: number; ltpPaise: number | null; tickPaise: number; step: number; policy: ChasePolicy;
}): LadderStep {
  const { side, originalPricePaise: original, tickPaise: tick, policy } = a;
  if (a.step > policy.steps) return policy.thenMarket && a.step === policy.steps + 1 ? { kind: 'market', step: a.step } : { kind: 'done', step: a.step };
  const move = Number((BigInt(original) * BigInt(policy.maxMoveBps)) / 10_000n);
  const target = side === 'BUY'
    ? floorTo(Math.min(original + move, a.ltpPaise ?? Number.POSITIVE_INFINITY), tick)
    : ceilTo(Math.max(original - move, a.ltpPaise ?? 0), tick);
  const raw = original + ((target - original) * a.step) / policy.steps;
  const rung = side === 'BUY' ? floorTo(raw, tick) : ceilTo(raw, tick);
  // Never backwards: a price already at or beyond this rung stays where it is.
  const pricePaise = side === 'BUY' ? Math.max(rung, a.currentPricePaise) : Math.min(rung, a.currentPricePaise);
  return { kind: 'reprice', step: a.step, fromPaise: a.currentPricePaise, pricePaise, targetPaise: target, ltpPaise: a.ltpPaise };
}

/**
 * What to do with the rest of a partly filled order: `immediate` — at the first partial fill, the remainder is
 * re-placed at once as configured (`market`: converted to MARKET; `reprice`: re-priced to the last traded price);
 * `cancel-remaining` at once; `time` — once `afterMs` has passed
 * since the first fill; `price` — once the market has moved more than `moveBps` from the first fill's price. The
 * action either cancels the remainder or converts it to MARKET; both act on the same broker order, so a late fill
 * during the switch can never lead to the remainder being placed twice.
 */
export type CompletionAction = 'cancel' | 'market' | 'reprice';
export interface CompletionPolicy {
  policy: 'immediate' | 'cancel-remaining' | 'time' | 'price';
  action: CompletionAction;
  afterMs?: number;
  moveBps?: number;
}

export function completionDue(p: CompletionPolicy, a: { firstFillAtMs: number; firstFillPricePaise: number; nowMs: number; ltpPaise: number | null }): CompletionAction | null {
  if (p.policy === 'immediate') return p.action;
  if (p.policy === 'cancel-remaining') return 'cancel';
  if (p.policy === 'time') return a.nowMs - a.firstFillAtMs >= (p.afterMs ?? 0) ? p.action : null;
  if (a.ltpPaise === null) return null;
  const moved = BigInt(Math.abs(a.ltpPaise - a.firstFillPricePaise)) * 10_000n;
  return moved > BigInt(p.moveBps ?? 0) * BigInt(a.firstFillPricePaise) ? p.action : null;
}
