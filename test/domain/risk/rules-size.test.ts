import { describeCheck, position, REDUCE_ONLY_SELL, runCheck, type ContextOverrides } from './risk-fixtures';

const MAX_3_LOTS = { size: { maxLots: 3 } }; // lot 30 -> 90 units

describeCheck('max_quantity', [
  { when: 'no maximum is configured', ctx: { order: { quantity: 30_000 } }, outcome: 'is skipped: not configured' },
  { when: 'there is no instrument', ctx: { instrument: null, limits: MAX_3_LOTS }, outcome: 'is skipped: no instrument' },
  { when: 'the order is exactly the maximum of 3 lots', ctx: { limits: MAX_3_LOTS }, outcome: 'passes' },
  { when: 'the order is 4 lots', ctx: { order: { quantity: 120 }, limits: MAX_3_LOTS }, outcome: 'fails with MAX_QUANTITY_EXCEEDED' },
  {
    when: 'a reduce-only exit is 4 lots (fat-finger protection applies to exits too)',
    ctx: { order: { side: 'SELL', quantity: 120 }, account: { positions: [position({ netQuantity: 120 })] }, limits: MAX_3_LOTS },
    outcome: 'fails with MAX_QUANTITY_EXCEEDED',
  },
]);

// The shipped shape: 20 lots max per order, BANKNIFTY freeze quantity 600 (20 lots of 30).
const SHIPPED = { size: { maxLots: 20 }, instrument: { freezeQuantities: { BANKNIFTY: 600 } } };
describeCheck('max_quantity', [ // a split order: the limit applies per slice
  { when: 'a split order of 900 goes out as two slices of 450', ctx: { order: { quantity: 900, split: true }, limits: SHIPPED }, outcome: 'passes' },
  { when: 'a split order of 1500 goes out as 510, 510, 480', ctx: { order: { quantity: 1_500, split: true }, limits: SHIPPED }, outcome: 'passes' },
  { when: 'a split order of 6000 goes out as ten slices of 600', ctx: { order: { quantity: 6_000, split: true }, limits: SHIPPED }, outcome: 'passes' },
  { when: 'the same 900 is not split', ctx: { order: { quantity: 900 }, limits: SHIPPED }, outcome: 'fails with MAX_QUANTITY_EXCEEDED' },
  { when: 'a split order of 900 has slices of 450 against a 10-lot (300) limit', ctx: { order: { quantity: 900, split: true }, limits: { ...SHIPPED, size: { maxLots: 10 } } }, outcome: 'fails with MAX_QUANTITY_EXCEEDED' },
  { when: 'a split order within the freeze quantity is one order of 25 lots', ctx: { order: { quantity: 750, split: true }, limits: { size: { maxLots: 20 }, instrument: { freezeQuantities: { BANKNIFTY: 900 } } } }, outcome: 'fails with MAX_QUANTITY_EXCEEDED' },
  { when: 'a split order has no freeze quantity configured for its underlying', ctx: { order: { quantity: 900, split: true }, limits: { size: { maxLots: 20 } } }, outcome: 'fails with MAX_QUANTITY_EXCEEDED' },
]);

describe('max_quantity of a split order: the report', () => {
  it('when a split order of 1500 passes, then the report names its largest slice and the per-slice limit', () => {
    const check = runCheck('max_quantity', { order: { quantity: 1_500, split: true }, limits: SHIPPED });
    expect(check).toMatchObject({ status: 'passed', limit: 20, values: { quantity: 1_500, largestSlice: 510, sliceLots: 17, split: true } });
  });
});

// 90 x 100.00 = 9000.00
describeCheck('max_order_value', [
  { when: 'no maximum is configured', ctx: {}, outcome: 'is skipped: not configured' },
  { when: 'a MARKET order has no quote', ctx: { order: { orderType: 'MARKET', pricePaise: undefined }, quote: null, limits: { size: { maxOrderValuePaise: 900_000 } } }, outcome: 'is skipped: no reference price' },
  { when: 'the order value equals the maximum', ctx: { limits: { size: { maxOrderValuePaise: 900_000 } } }, outcome: 'passes' },
  { when: 'the order value is one paisa above the maximum', ctx: { limits: { size: { maxOrderValuePaise: 899_999 } } }, outcome: 'fails with MAX_ORDER_VALUE_EXCEEDED' },
  { when: 'a MARKET order is valued at LTP above the maximum', ctx: { order: { orderType: 'MARKET', pricePaise: undefined }, quote: { lastPricePaise: 10_005 }, limits: { size: { maxOrderValuePaise: 900_000 } } }, outcome: 'fails with MAX_ORDER_VALUE_EXCEEDED' },
  { when: 'a reduce-only exit is above the maximum', ctx: { ...REDUCE_ONLY_SELL, limits: { size: { maxOrderValuePaise: 899_999 } } }, outcome: 'fails with MAX_ORDER_VALUE_EXCEEDED' },
]);

// Median quantity 30 and median value 3000.00; with a 3x multiplier the ceiling is 90 units / 9000.00.
const HISTORY = { recent: { quantities: [30, 60, 30], valuesPaise: [300_000, 600_000, 300_000] } };
const fat = (extra: ContextOverrides = {}, fatFinger = { multiplier: 3, minSamples: 3 }): ContextOverrides => ({
  account: HISTORY, limits: { size: { fatFinger } }, ...extra,
});

describeCheck('fat_finger', [
  { when: 'no fat-finger limit is configured', ctx: { account: HISTORY, order: { quantity: 9_000 } }, outcome: 'is skipped: not configured' },
  { when: 'there are fewer recent orders than the minimum sample', ctx: fat({ account: { recent: { quantities: [30, 30], valuesPaise: [300_000, 300_000] } } }), outcome: 'is skipped: not enough history (2 of 3 orders)' },
  { when: 'there is no history at all', ctx: fat({ account: { recent: { quantities: [], valuesPaise: [] } } }, { multiplier: 3, minSamples: 0 }), outcome: 'is skipped: not enough history' },
  { when: 'quantity and value are exactly 3x the typical', ctx: fat(), outcome: 'passes' },
  { when: 'the quantity is more than 3x the typical', ctx: fat({ order: { quantity: 120, pricePaise: 5_000 } }), outcome: 'fails with FAT_FINGER' },
  { when: 'the order value is 9000.90, above 3x the typical 3000.00', ctx: fat({ order: { pricePaise: 10_001 } }), outcome: 'fails with FAT_FINGER' },
  { when: 'a reduce-only exit is more than 3x the typical', ctx: fat({ order: { side: 'SELL', quantity: 120 }, account: { ...HISTORY, positions: [position({ netQuantity: 120 })] } }), outcome: 'fails with FAT_FINGER' },
  {
    when: 'an even sample has a median of 45 and the order is exactly 3x (135)',
    ctx: fat({ order: { quantity: 135, pricePaise: 1_000 }, account: { recent: { quantities: [30, 60], valuesPaise: [300_000, 600_000] } } }, { multiplier: 3, minSamples: 2 }),
    outcome: 'passes',
  },
  {
    when: 'an even sample has a median of 45 and the order is 136',
    ctx: fat({ order: { quantity: 136, pricePaise: 1_000 }, account: { recent: { quantities: [30, 60], valuesPaise: [300_000, 600_000] } } }, { multiplier: 3, minSamples: 2 }),
    outcome: 'fails with FAT_FINGER',
  },
  { when: 'the multiplier is 1.5 and the order is exactly 1.5x the typical (45)', ctx: fat({ order: { quantity: 45, pricePaise: 1_000 } }, { multiplier: 1.5, minSamples: 3 }), outcome: 'passes' },
  { when: 'the multiplier is 1.5 and the order is 46', ctx: fat({ order: { quantity: 46, pricePaise: 1_000 } }, { multiplier: 1.5, minSamples: 3 }), outcome: 'fails with FAT_FINGER' },
]);

describe('size checks: what the failures report', () => {
  it('when the quantity is a fat finger, then the failure gives the quantity, the value, their typical figures and the multiplier', () => {
    const result = runCheck('fat_finger', fat({ order: { quantity: 300 } }));
    expect(result.values).toEqual({ quantity: 300, typicalQuantity: 30, orderValue: '30000.00', typicalValue: '3000.00', multiplier: 3 });
    expect(result.message).toBe('quantity 300 is more than 3x the typical 30');
  });

  it('when only the value is a fat finger, then the message names the order value', () => {
    expect(runCheck('fat_finger', fat({ order: { pricePaise: 10_001 } })).message).toBe('order value 9000.90 is more than 3x the typical 3000.00');
  });

  it('when an even sample has a half-unit median, then the typical quantity shows it exactly', () => {
    const result = runCheck('fat_finger', fat({ order: { quantity: 300 }, account: { recent: { quantities: [30, 61], valuesPaise: [300_000, 600_001] } } }, { multiplier: 3, minSamples: 2 }));
    expect(result.values).toMatchObject({ typicalQuantity: 45.5, typicalValue: '4500.01' });
  });

  it('when the order is over the lot maximum, then the failure gives quantity, lots and lot size', () => {
    const result = runCheck('max_quantity', { order: { quantity: 120 }, limits: MAX_3_LOTS });
    expect(result).toMatchObject({ values: { quantity: 120, lots: 4, lotSize: 30 }, limit: 3, message: 'quantity 120 is 4 lots; the maximum is 3 lots' });
  });

  it('when the order value is over the maximum, then the failure gives it in rupees', () => {
    const result = runCheck('max_order_value', { limits: { size: { maxOrderValuePaise: 899_999 } } });
    expect(result).toMatchObject({ values: { quantity: 90, referencePrice: '100.00', orderValue: '9000.00' }, limit: '8999.99' });
  });
});
