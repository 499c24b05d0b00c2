import {
  classifyRejection, DEFAULT_FALLBACK, mergeFallback, nextFallback, planSlices, sliceSize, type FallbackContext, type FallbackPolicy,
} from '../../src/domain/fallback';

const ctx = (over: Partial<FallbackContext> = {}): FallbackContext => ({
  rejection: 'margin', taken: [], quantity: 90, lotSize: 30, orderType: 'LIMIT', freezeQuantity: null, ...over,
});
const policy = (over: Partial<FallbackPolicy> = {}): FallbackPolicy => ({ ...DEFAULT_FALLBACK, ...over });

describe('classifying a broker rejection', () => {
  it.each([
    { errorType: 'MarginException', message: 'Insufficient funds', expected: 'margin' },
    { errorType: null, message: 'Insufficient funds. Required margin is 1200.00 but available margin is 500.00.', expected: 'margin' },
    { errorType: 'InputException', message: 'Quantity exceeds the freeze limit of 600. Slice the order.', expected: 'freeze' },
    { errorType: 'InputException', message: 'Invalid price', expected: 'input' },
    { errorType: 'OrderException', message: 'Order cannot be placed', expected: 'order' },
    { errorType: null, message: 'RMS: blocked for this segment', expected: 'order' },
    { errorType: 'PermissionException', message: 'not enabled', expected: 'other' },
  ])('when Kite answers $errorType "$message", then it is a $expected rejection', ({ errorType, message, expected }) => {
    expect(classifyRejection(errorType, message)).toBe(expected);
  });
});

describe('the next fallback rung', () => {
  it('when a margin rejection meets the default ladder, then the order is reduced by one lot', () => {
    expect(nextFallback(policy(), ctx())).toEqual({ rung: 'reduce', fromQuantity: 90, quantity: 60 });
  });
  it('when the order is already at its minimum lots, then reduction is skipped and the order goes to manual review', () => {
    expect(nextFallback(policy(), ctx({ quantity: 30, taken: ['reduce', 'reduce'] }))).toEqual({ rung: 'manual' });
  });
  it('when manual review was the last rung taken, then it is not offered again and the ladder is done', () => {
    expect(nextFallback(policy(), ctx({ quantity: 30, taken: ['reduce', 'reduce', 'manual'] }))).toBeNull();
  });
  it('when reduction steps 2 lots down to a minimum of 2, then 150 becomes 90 and 90 cannot be reduced further', () => {
    const p = policy({ reduce: { stepLots: 2, minLots: 2 }, onRejection: { margin: ['reduce'] } });
    expect(nextFallback(p, ctx({ quantity: 150 }))).toEqual({ rung: 'reduce', fromQuantity: 150, quantity: 90 });
    expect(nextFallback(p, ctx({ quantity: 90 }))).toBeNull();
  });
  it('when market is configured, then a LIMIT converts once, and a MARKET order has nothing to convert', () => {
    const p = policy({ onRejection: { order: ['market'] } });
    expect(nextFallback(p, ctx({ rejection: 'order' }))).toEqual({ rung: 'market', orderType: 'MARKET' });
    expect(nextFallback(p, ctx({ rejection: 'order', taken: ['market'] }))).toBeNull();
    expect(nextFallback(p, ctx({ rejection: 'order', orderType: 'MARKET' }))).toBeNull();
  });
  it('when a freeze rejection meets the split rung, then the order is split into slices within the freeze quantity', () => {
    expect(nextFallback(policy(), ctx({ rejection: 'freeze', quantity: 1500, freezeQuantity: 600 }))).toEqual({ rung: 'split', sliceQuantity: 510, slices: [510, 510, 480] });
  });
  it('when a rejection class has no rungs, then there is no fallback (the order ends REJECTED)', () => {
    expect(nextFallback(policy(), ctx({ rejection: 'input' }))).toBeNull();
  });
});

describe('planning slices', () => {
  it.each([
    { quantity: 1200, lot: 30, max: 600, maxSlices: 10, slices: [600, 600] },
    { quantity: 1230, lot: 30, max: 600, maxSlices: 10, slices: [420, 420, 390] },
    { quantity: 300, lot: 30, max: 600, maxSlices: 10, slices: [300] },
    { quantity: 6000, lot: 30, max: 600, maxSlices: 10, slices: Array(10).fill(600) },
  ])('when $quantity is sliced at most $max in lots of $lot, then the slices are $slices', ({ quantity, lot, max, maxSlices, slices }) => {
    const plan = planSlices(quantity, lot, max, maxSlices);
    expect(plan).toEqual({ ok: true, slices });
    if (plan.ok) expect(plan.slices.reduce((a, b) => a + b, 0)).toBe(quantity);
  });
  it('when 11 slices would be needed, then the plan is refused naming the 10-slice limit', () => {
    expect(planSlices(6030, 30, 600, 10)).toEqual({ ok: false, reason: 'quantity 6030 needs 11 slices of at most 600; the limit is 10' });
  });
  it('when a slice cannot hold one lot, then the plan is refused', () => {
    expect(planSlices(120, 75, 50, 10)).toMatchObject({ ok: false });
  });
  it('when a smaller slice size is configured than the freeze quantity, then the configured size wins', () => {
    expect(sliceSize(policy({ split: { maxSlices: 10, sliceQuantity: 300 } }), 600)).toBe(300);
    expect(sliceSize(policy(), 600)).toBe(600);
    expect(sliceSize(policy(), null)).toBeNull();
  });
});

describe('layering the ladder configuration', () => {
  it('when a strategy and an order override parts, then each section keeps what they did not override', () => {
    const merged = mergeFallback(DEFAULT_FALLBACK, { onRejection: { margin: ['manual'] }, manual: { timeoutMs: 5_000 } }, { reduce: { stepLots: 3 } });
    expect(merged.onRejection).toEqual({ ...DEFAULT_FALLBACK.onRejection, margin: ['manual'] });
    expect(merged.manual).toEqual({ timeoutMs: 5_000, defaultAction: 'abandon' });
    expect(merged.reduce).toEqual({ stepLots: 3, minLots: 1 });
  });
});
