import { describeCheck, INSTRUMENT, pending, position, REDUCE_ONLY_SELL, runCheck, type ContextOverrides } from './risk-fixtures';

const NIFTY_CE = { tradingsymbol: 'NIFTY26NOV24000CE', underlying: 'NIFTY' };
const BANKNIFTY_PE = { tradingsymbol: 'BANKNIFTY26NOV51000PE' };
const MAX_2_OPEN = { exposure: { maxOpenPositions: 2 } };
const open = (account: ContextOverrides['account'], extra: ContextOverrides = {}): ContextOverrides => ({ account, limits: MAX_2_OPEN, ...extra });

describeCheck('max_open_positions', [
  { when: 'no maximum is configured', ctx: { account: { positions: [position(NIFTY_CE), position(BANKNIFTY_PE)] } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { exposure: { maxOpenPositions: 0 } } }, outcome: 'is skipped: reduce-only order' },
  { when: 'the book is empty', ctx: open({}), outcome: 'passes' },
  { when: 'one other contract is open (the order makes exactly the maximum)', ctx: open({ positions: [position(NIFTY_CE)] }), outcome: 'passes' },
  { when: 'two other contracts are open (one held, one pending)', ctx: open({ positions: [position(NIFTY_CE)], pending: [pending(BANKNIFTY_PE)] }), outcome: 'fails with MAX_OPEN_POSITIONS' },
  { when: 'two contracts are open and the order adds to one of them', ctx: open({ positions: [position(NIFTY_CE), position()] }), outcome: 'passes' },
  { when: 'two contracts are open and the order\'s contract has a pending order', ctx: open({ positions: [position(NIFTY_CE)], pending: [pending()] }, { limits: { exposure: { maxOpenPositions: 1 } } }), outcome: 'passes' },
  { when: 'the other positions are flat (net 0)', ctx: open({ positions: [position({ ...NIFTY_CE, netQuantity: 0 }), position({ ...BANKNIFTY_PE, netQuantity: 0 })] }), outcome: 'passes' },
  { when: 'one contract has both a position and a pending order (counted once)', ctx: open({ positions: [position(NIFTY_CE)], pending: [pending(NIFTY_CE)] }), outcome: 'passes' },
]);

const MAX_6_LOTS = { exposure: { maxLotsPerSymbol: 6 } }; // 180 units at lot 30
const perSymbol = (order: ContextOverrides['order'], account: ContextOverrides['account']): ContextOverrides => ({ order, account, limits: MAX_6_LOTS });

describeCheck('max_position_per_symbol', [
  { when: 'no maximum is configured', ctx: { order: { quantity: 9_000 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { exposure: { maxLotsPerSymbol: 0 } } }, outcome: 'is skipped: reduce-only order' },
  { when: 'there is no instrument', ctx: { instrument: null, limits: MAX_6_LOTS }, outcome: 'is skipped: no instrument' },
  { when: 'a 3-lot buy opens a flat contract', ctx: perSymbol({}, {}), outcome: 'passes' },
  { when: 'a 3-lot buy adds to a 3-lot long (exactly the maximum)', ctx: perSymbol({}, { positions: [position({ netQuantity: 90 })] }), outcome: 'passes' },
  { when: 'a 3-lot buy adds to a 4-lot long', ctx: perSymbol({}, { positions: [position({ netQuantity: 120 })] }), outcome: 'fails with MAX_POSITION_EXCEEDED' },
  { when: 'a pending 1-lot buy would take a 3-lot long plus the order over the maximum', ctx: perSymbol({}, { positions: [position({ netQuantity: 90 })], pending: [pending({ side: 'BUY', remainingQuantity: 30 })] }), outcome: 'fails with MAX_POSITION_EXCEEDED' },
  { when: 'a pending 2-lot sell is not added to a buy (3-lot long + 3-lot buy is exactly the maximum)', ctx: perSymbol({}, { positions: [position({ netQuantity: 90 })], pending: [pending({ side: 'SELL', remainingQuantity: 60 })] }), outcome: 'passes' },
  { when: 'a pending 2-lot sell does not offset the buy (it may never fill)', ctx: perSymbol({}, { positions: [position({ netQuantity: 120 })], pending: [pending({ side: 'SELL', remainingQuantity: 60 })] }), outcome: 'fails with MAX_POSITION_EXCEEDED' },
  { when: 'another contract\'s position is ignored', ctx: perSymbol({}, { positions: [position({ ...BANKNIFTY_PE, netQuantity: 900 })] }), outcome: 'passes' },
  { when: 'a 3-lot sell adds to a 3-lot short (exactly the maximum)', ctx: perSymbol({ side: 'SELL' }, { positions: [position({ netQuantity: -90 })] }), outcome: 'passes' },
  { when: 'a 3-lot sell adds to a 4-lot short', ctx: perSymbol({ side: 'SELL' }, { positions: [position({ netQuantity: -120 })] }), outcome: 'fails with MAX_POSITION_EXCEEDED' },
  { when: 'a buy flips a 1-lot short into a 7-lot long', ctx: perSymbol({ quantity: 240 }, { positions: [position({ netQuantity: -30 })] }), outcome: 'fails with MAX_POSITION_EXCEEDED' },
  { when: 'a buy flips a 1-lot short into a 6-lot long', ctx: perSymbol({ quantity: 210 }, { positions: [position({ netQuantity: -30 })] }), outcome: 'passes' },
]);

// Capital 10 lakh, 1% = 10000.00 per underlying; the order itself is 9000.00.
const CONCENTRATION = { exposure: { maxConcentrationBps: 100 } };
const conc = (account: ContextOverrides['account'], extra: ContextOverrides = {}): ContextOverrides => ({ account, limits: CONCENTRATION, ...extra });

describeCheck('concentration', [
  { when: 'no maximum is configured', ctx: { order: { quantity: 90_000 } }, outcome: 'is skipped: not configured' },
  { when: 'the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { exposure: { maxConcentrationBps: 0 } } }, outcome: 'is skipped: reduce-only order' },
  { when: 'the book is empty', ctx: conc({}), outcome: 'passes' },
  { when: 'a held BANKNIFTY position brings the exposure exactly to the maximum', ctx: conc({ positions: [position({ ...BANKNIFTY_PE, netQuantity: 10 })] }), outcome: 'passes' },
  { when: 'a held BANKNIFTY position is worth one paisa more', ctx: conc({ positions: [position({ ...BANKNIFTY_PE, netQuantity: 10, lastPricePaise: 10_001 })] }), outcome: 'fails with CONCENTRATION_EXCEEDED' },
  { when: 'a short BANKNIFTY position counts by its absolute size', ctx: conc({ positions: [position({ ...BANKNIFTY_PE, netQuantity: -11 })] }), outcome: 'fails with CONCENTRATION_EXCEEDED' },
  { when: 'pending BANKNIFTY orders bring the exposure exactly to the maximum', ctx: conc({ pending: [pending({ ...BANKNIFTY_PE, remainingQuantity: 10 })] }), outcome: 'passes' },
  { when: 'pending BANKNIFTY orders take the exposure over the maximum', ctx: conc({ pending: [pending({ ...BANKNIFTY_PE, remainingQuantity: 11 })] }), outcome: 'fails with CONCENTRATION_EXCEEDED' },
  { when: 'a large NIFTY position is another underlying', ctx: conc({ positions: [position({ ...NIFTY_CE, netQuantity: 9_000 })], pending: [pending({ ...NIFTY_CE, remainingQuantity: 9_000 })] }), outcome: 'passes' },
  { when: 'an unpriced BANKNIFTY position is valued at 0', ctx: conc({ positions: [position({ ...BANKNIFTY_PE, netQuantity: 9_000, lastPricePaise: null })] }), outcome: 'passes' },
  {
    when: 'the instrument has no underlying name and the same tradingsymbol is held',
    ctx: conc({ positions: [position({ underlying: INSTRUMENT.tradingsymbol, netQuantity: 11 })] }, { instrument: { ...INSTRUMENT, name: undefined } }),
    outcome: 'fails with CONCENTRATION_EXCEEDED',
  },
]);

describe('exposure checks: what they report', () => {
  it('when the order would open one position too many, then the failure gives the count before and after', () => {
    const result = runCheck('max_open_positions', open({ positions: [position(NIFTY_CE)], pending: [pending(BANKNIFTY_PE)] }));
    expect(result).toMatchObject({ values: { openPositions: 2, afterOrder: 3 }, limit: 2 });
  });

  it('when the projected position is too large, then the failure gives it in lots', () => {
    const result = runCheck('max_position_per_symbol', perSymbol({}, { positions: [position({ netQuantity: 90 })], pending: [pending({ remainingQuantity: 30 })] }));
    expect(result.values).toEqual({ positionLots: 3, pendingLots: 1, orderLots: 3, projectedLots: 7 });
    expect(result.message).toBe('BANKNIFTY26NOV52000CE would reach 7 lots; the maximum is 6 lots');
  });

  it('when a sell grows a short, then its lots are negative in the report', () => {
    const result = runCheck('max_position_per_symbol', perSymbol({ side: 'SELL' }, { positions: [position({ netQuantity: -120 })] }));
    expect(result.values).toEqual({ positionLots: -4, pendingLots: 0, orderLots: -3, projectedLots: -7 });
  });

  it('when the exposure is too concentrated, then the failure gives each part and the share of capital', () => {
    const result = runCheck('concentration', conc({ positions: [position({ ...BANKNIFTY_PE, netQuantity: 30 })], pending: [pending({ remainingQuantity: 30 })] }));
    expect(result.values).toEqual({
      underlying: 'BANKNIFTY', positionsValue: '3000.00', pendingValue: '3000.00', orderValue: '9000.00', exposure: '15000.00', capital: '1000000.00', share: '1.50%',
    });
    expect(result.message).toBe('exposure to BANKNIFTY 15000.00 is 1.50% of capital 1000000.00; the maximum is 1.00%');
  });

  it('when a position has no price, then it is valued at 0 and the report says so', () => {
    const result = runCheck('concentration', conc({ positions: [position({ ...BANKNIFTY_PE, lastPricePaise: null })] }));
    expect(result.values).toMatchObject({ positionsValue: '0.00', unpricedPositions: ['BANKNIFTY26NOV51000PE'] });
    expect(result.message).toContain('BANKNIFTY26NOV51000PE valued at 0');
  });
});
