import { describeCheck, INSTRUMENT, runCheck } from './risk-fixtures';

const SL_BUY = { orderType: 'SL', pricePaise: 10_000, triggerPricePaise: 9_995 } as const;

describeCheck('validity_rules', [
  { when: 'a DAY LIMIT order has no TTL minutes', ctx: {}, outcome: 'passes' },
  { when: 'a TTL LIMIT order asks for 1 minute (the minimum)', ctx: { order: { validity: 'TTL', validityTtlMinutes: 1 } }, outcome: 'passes' },
  { when: 'a TTL LIMIT order asks for 1440 minutes (the maximum)', ctx: { order: { validity: 'TTL', validityTtlMinutes: 1440 } }, outcome: 'passes' },
  { when: 'a TTL LIMIT order asks for 1441 minutes', ctx: { order: { validity: 'TTL', validityTtlMinutes: 1441 } }, outcome: 'fails with TTL_OUT_OF_RANGE' },
  { when: 'a TTL LIMIT order asks for 0 minutes', ctx: { order: { validity: 'TTL', validityTtlMinutes: 0 } }, outcome: 'fails with TTL_OUT_OF_RANGE' },
  { when: 'a TTL LIMIT order asks for 1.5 minutes', ctx: { order: { validity: 'TTL', validityTtlMinutes: 1.5 } }, outcome: 'fails with TTL_OUT_OF_RANGE' },
  { when: 'the configured maximum is 60 and the TTL is 60 minutes', ctx: { order: { validity: 'TTL', validityTtlMinutes: 60 }, limits: { parameters: { maxTtlMinutes: 60 } } }, outcome: 'passes' },
  { when: 'the configured maximum is 60 and the TTL is 61 minutes', ctx: { order: { validity: 'TTL', validityTtlMinutes: 61 }, limits: { parameters: { maxTtlMinutes: 60 } } }, outcome: 'fails with TTL_OUT_OF_RANGE' },
  { when: 'TTL minutes come with DAY validity', ctx: { order: { validityTtlMinutes: 10 } }, outcome: 'fails with TTL_MINUTES_WITHOUT_TTL' },
  { when: 'TTL minutes come with IOC validity', ctx: { order: { validity: 'IOC', validityTtlMinutes: 10 } }, outcome: 'fails with TTL_MINUTES_WITHOUT_TTL' },
  { when: 'an SL order has TTL validity', ctx: { order: { ...SL_BUY, validity: 'TTL', validityTtlMinutes: 10 } }, outcome: 'fails with TTL_ONLY_FOR_LIMIT' },
  { when: 'a MARKET order has TTL validity', ctx: { order: { orderType: 'MARKET', pricePaise: undefined, validity: 'TTL', validityTtlMinutes: 10 } }, outcome: 'fails with TTL_ONLY_FOR_LIMIT' },
  { when: 'an IOC LIMIT order is regular', ctx: { order: { validity: 'IOC' } }, outcome: 'passes' },
  { when: 'an IOC MARKET order is regular', ctx: { order: { validity: 'IOC', orderType: 'MARKET', pricePaise: undefined } }, outcome: 'passes' },
  { when: 'an IOC order is an after-market order', ctx: { order: { validity: 'IOC', variety: 'amo' } }, outcome: 'fails with IOC_NOT_FOR_AMO' },
  { when: 'an SL order is IOC', ctx: { order: { ...SL_BUY, validity: 'IOC' } }, outcome: 'fails with IOC_NOT_FOR_STOP_ORDERS' },
  { when: 'an SL-M order is IOC', ctx: { order: { orderType: 'SL-M', pricePaise: undefined, triggerPricePaise: 10_000, validity: 'IOC' } }, outcome: 'fails with IOC_NOT_FOR_STOP_ORDERS' },
  { when: 'a DAY SL order is an after-market order', ctx: { order: { ...SL_BUY, variety: 'amo' } }, outcome: 'passes' },
]);

describeCheck('product_rules', [
  { when: 'an NFO order is NRML', ctx: {}, outcome: 'passes' },
  { when: 'an NFO order is MIS', ctx: { order: { product: 'MIS' } }, outcome: 'passes' },
  { when: 'an NFO order is CNC', ctx: { order: { product: 'CNC' } }, outcome: 'fails with PRODUCT_NOT_ALLOWED' },
  { when: 'a BFO order is CNC', ctx: { order: { exchange: 'BFO', product: 'CNC' } }, outcome: 'fails with PRODUCT_NOT_ALLOWED' },
  { when: 'an NSE cash order is CNC', ctx: { order: { exchange: 'NSE', product: 'CNC' } }, outcome: 'passes' },
]);

describeCheck('disclosed_quantity_bounds', [
  { when: 'no disclosed quantity is given', ctx: {}, outcome: 'is skipped: no disclosed quantity given' },
  { when: 'the disclosed quantity is 0', ctx: { order: { disclosedQuantity: 0 } }, outcome: 'is skipped: no disclosed quantity given' },
  { when: '30 of 300 is disclosed (exactly the 10% minimum, one lot)', ctx: { order: { quantity: 300, disclosedQuantity: 30 } }, outcome: 'passes' },
  { when: '29 of 300 is disclosed (one unit below 10%)', ctx: { order: { quantity: 300, disclosedQuantity: 29 } }, outcome: 'fails with DISCLOSED_QUANTITY_TOO_SMALL' },
  { when: 'the whole quantity is disclosed', ctx: { order: { disclosedQuantity: 90 } }, outcome: 'passes' },
  { when: '100 of 900 is disclosed on NFO with lot 30', ctx: { order: { quantity: 900, disclosedQuantity: 100 } }, outcome: 'fails with DISCLOSED_QUANTITY_NOT_LOT_MULTIPLE' },
  { when: '31 of 300 is disclosed on NSE (no lots in cash)', ctx: { order: { exchange: 'NSE', quantity: 300, disclosedQuantity: 31 } }, outcome: 'passes' },
  { when: '31 of 300 is disclosed on NFO without an instrument', ctx: { instrument: null, order: { quantity: 300, disclosedQuantity: 31 } }, outcome: 'passes' },
  { when: 'the minimum is 30% and 90 of 300 is disclosed (exactly at it)', ctx: { order: { quantity: 300, disclosedQuantity: 90 }, limits: { parameters: { minDisclosedBps: 3000 } } }, outcome: 'passes' },
  { when: 'the minimum is 30% and 60 of 300 is disclosed', ctx: { order: { quantity: 300, disclosedQuantity: 60 }, limits: { parameters: { minDisclosedBps: 3000 } } }, outcome: 'fails with DISCLOSED_QUANTITY_TOO_SMALL' },
]);

describe('parameters: what the failures report', () => {
  it('when the disclosed quantity is too small, then the message gives the share and the minimum as percentages', () => {
    const result = runCheck('disclosed_quantity_bounds', { order: { quantity: 300, disclosedQuantity: 29 } });
    expect(result.message).toBe('disclosed quantity 29 is 9.67% of 300; the minimum is 10.00%');
    expect(result.values).toEqual({ disclosedQuantity: 29, quantity: 300, disclosedShare: '9.67%' });
    expect(result.limit).toBe('10.00%');
  });

  it('when the TTL is out of range, then the limit states the allowed minutes', () => {
    const result = runCheck('validity_rules', { order: { validity: 'TTL', validityTtlMinutes: 1441 } });
    expect(result.limit).toEqual({ minMinutes: 1, maxMinutes: 1440 });
    expect(result.message).toContain('1441');
  });

  it('when the disclosed quantity is not a lot multiple, then the values carry the lot size', () => {
    expect(runCheck('disclosed_quantity_bounds', { order: { quantity: 900, disclosedQuantity: 100 } }).values).toMatchObject({ lotSize: INSTRUMENT.lotSize });
  });
});
