import type { OrderType } from './order-vocabulary';

/**
 * The fallback ladder for an order the broker refused. Which rejections start which rungs is configuration
 * (config/execution.json, per strategy, and per order); the rungs are tried in the configured order, each at most as
 * often as it can still change something. Rung 1 (chasing the price of a resting LIMIT) is `execution.chase`: it is
 * started by time, not by a rejection.
 */
export const REJECTION_CLASSES = ['margin', 'freeze', 'input', 'order', 'other'] as const;
export type RejectionClass = (typeof REJECTION_CLASSES)[number];

export const FALLBACK_RUNGS = ['market', 'reduce', 'split', 'manual'] as const;
export type FallbackRung = (typeof FALLBACK_RUNGS)[number];

export const MANUAL_DEFAULT_ACTIONS = ['abandon', 'retry', 'convert'] as const;

export interface FallbackPolicy {
  /** Rungs per rejection class, tried in order. A class with no rungs ends the order REJECTED, as before. */
  onRejection: Partial<Record<RejectionClass, FallbackRung[]>>;
  /** Quantity reduction: each rung removes `stepLots` lots, never below `minLots`. */
  reduce: { stepLots: number; minLots: number };
  /** Manual review: how long the order waits for an operator, and what happens when nobody answers. */
  manual: { timeoutMs: number; defaultAction: (typeof MANUAL_DEFAULT_ACTIONS)[number] };
  /** Split rung / split orders: Kite's 10-slice cap; a configured slice size below the freeze quantity. */
  split: { maxSlices: number; sliceQuantity?: number };
}

/** Margin rejections are reduced, then reviewed by a human; a freeze breach is split; anything else waits for review. */
export const DEFAULT_FALLBACK: FallbackPolicy = {
  onRejection: { margin: ['reduce', 'manual'], freeze: ['split'], input: [], order: ['manual'], other: [] },
  reduce: { stepLots: 1, minLots: 1 },
  manual: { timeoutMs: 300_000, defaultAction: 'abandon' },
  split: { maxSlices: 10 },
};

/** Sorts a rejection by Kite's error_type (synchronous refusals) or the RMS message (asynchronous REJECTED status). */
export function classifyRejection(errorType: string | null, message: string): RejectionClass {
  if (/freeze/i.test(message)) return 'freeze';
  if (errorType === 'MarginException' || /insufficient funds|margin/i.test(message)) return 'margin';
  if (errorType === 'InputException') return 'input';
  if (errorType === 'OrderException' || /^RMS|rejected/i.test(message)) return 'order';
  return 'other';
}

export interface FallbackContext {
  rejection: RejectionClass;
  /** Rungs already taken for this order (oldest first). */
  taken: FallbackRung[];
  quantity: number;
  lotSize: number;
  orderType: OrderType;
  /** Freeze quantity from the risk gate's report, when one is configured for the underlying. */
  freezeQuantity: number | null;
}

export type FallbackStep =
  | { rung: 'market'; orderType: 'MARKET' }
  | { rung: 'reduce'; fromQuantity: number; quantity: number }
  | { rung: 'split'; sliceQuantity: number; slices: number[] }
  | { rung: 'manual' };

/** The next rung for a rejection, or null when the ladder has nothing left to try. */
export function nextFallback(policy: FallbackPolicy, ctx: FallbackContext): FallbackStep | null {
  for (const rung of policy.onRejection[ctx.rejection] ?? []) {
    const step = stepFor(rung, policy, ctx);
    if (step) return step;
  }
  return null;
}

function stepFor(rung: FallbackRung, policy: FallbackPolicy, ctx: FallbackContext): FallbackStep | null {
  switch (rung) {
    case 'market':
      return ctx.orderType === 'LIMIT' && !ctx.taken.includes('market') ? { rung, orderType: 'MARKET' } : null;
    case 'reduce': {
      const lot = Math.max(1, ctx.lotSize);
      const quantity = ctx.quantity - policy.reduce.stepLots * lot;
      return quantity >= policy.reduce.minLots * lot && quantity > 0 ? { rung, fromQuantity: ctx.quantity, quantity } : null;
    }
    case 'split': {
      if (ctx.taken.includes('split')) return null;
      const plan = planSlices(ctx.quantity, ctx.lotSize, sliceSize(policy, ctx.freezeQuantity), policy.split.maxSlices);
      return plan.ok && plan.slices.length > 1 ? { rung, sliceQuantity: plan.slices[0], slices: plan.slices } : null;
    }
    case 'manual':
      // Once per rejection episode: a second manual rung in a row would only ask the same question again.
      return ctx.taken.at(-1) === 'manual' ? null : { rung };
  }
}

/** The largest slice allowed: the freeze quantity, or the configured slice size if smaller. */
export function sliceSize(policy: FallbackPolicy, freezeQuantity: number | null): number | null {
  const sizes = [freezeQuantity, policy.split.sliceQuantity ?? null].filter((v): v is number => v !== null && v > 0);
  return sizes.length === 0 ? null : Math.min(...sizes);
}

export type SlicePlan = { ok: true; slices: number[] } | { ok: false; reason: string };

/**
 * Equal-as-possible slices in whole lots, each at most `maxSlice`; at most `maxSlices` of them (Kite's autoslice cap
 * is 10). One slice when no split is needed.
 */
export function planSlices(quantity: number, lotSize: number, maxSlice: number | null, maxSlices: number): SlicePlan {
  const lot = Math.max(1, lotSize);
  if (maxSlice === null || quantity <= maxSlice) return { ok: true, slices: [quantity] };
  const lotsPerSlice = Math.floor(maxSlice / lot);
  if (lotsPerSlice < 1) return { ok: false, reason: `a slice of at most ${maxSlice} cannot hold one lot of ${lot}` };
  const lots = Math.ceil(quantity / lot);
  if (lots * lot !== quantity) return { ok: false, reason: `quantity ${quantity} is not a whole number of lots of ${lot}` };
  const count = Math.ceil(lots / lotsPerSlice);
  if (count > maxSlices) return { ok: false, reason: `quantity ${quantity} needs ${count} slices of at most ${lotsPerSlice * lot}; the limit is ${maxSlices}` };
  const base = Math.floor(lots / count);
  const extra = lots % count;
  return { ok: true, slices: Array.from({ length: count }, (_, i) => (base + (i < extra ? 1 : 0)) * lot) };
}

export interface FallbackOverride {
  onRejection?: Partial<Record<RejectionClass, FallbackRung[]>>;
  reduce?: Partial<FallbackPolicy['reduce']>;
  manual?: Partial<FallbackPolicy['manual']>;
  split?: Partial<FallbackPolicy['split']>;
}

/** Layers overrides (strategy, then order) on a policy, section by section; a rejection class given replaces its rungs. */
export function mergeFallback(base: FallbackPolicy, ...overrides: (FallbackOverride | undefined)[]): FallbackPolicy {
  let p = base;
  for (const o of overrides) {
    if (!o) continue;
    p = {
      onRejection: { ...p.onRejection, ...o.onRejection },
      reduce: { ...p.reduce, ...o.reduce },
      manual: { ...p.manual, ...o.manual },
      split: { ...p.split, ...o.split },
    };
  }
  return p;
}
