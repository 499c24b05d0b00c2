import { describeCheck, INSTRUMENT, istMs, runCheck } from './risk-fixtures';

describeCheck('segment', [
  { when: 'the instrument trades on the order\'s exchange', ctx: {}, outcome: 'passes' },
  { when: 'there is no instrument', ctx: { instrument: null }, outcome: 'is skipped: no instrument' },
  { when: 'the instrument trades on BFO but the order says NFO', ctx: { instrument: { ...INSTRUMENT, exchange: 'BFO' } }, outcome: 'fails with EXCHANGE_MISMATCH' },
  { when: 'the instrument is an index (segment INDICES)', ctx: { instrument: { ...INSTRUMENT, segment: 'INDICES' } }, outcome: 'fails with INSTRUMENT_NOT_TRADABLE' },
  { when: 'the instrument has no segment in the master', ctx: { instrument: { ...INSTRUMENT, segment: undefined } }, outcome: 'passes' },
]);

describeCheck('expiry', [
  { when: 'the contract expires next week', ctx: {}, outcome: 'passes' },
  { when: 'today (IST) is the expiry day', ctx: { instrument: { ...INSTRUMENT, expiry: '2026-11-17' } }, outcome: 'passes' },
  { when: 'the contract expired yesterday', ctx: { instrument: { ...INSTRUMENT, expiry: '2026-11-16' } }, outcome: 'fails with CONTRACT_EXPIRED' },
  { when: 'the contract has no expiry (cash equity)', ctx: { instrument: { ...INSTRUMENT, expiry: null } }, outcome: 'passes' },
  { when: 'there is no instrument', ctx: { instrument: null }, outcome: 'is skipped: no instrument' },
  {
    when: 'it is 00:10 IST the day after expiry (still the expiry day in UTC)',
    ctx: { nowMs: istMs('2026-11-17 00:10'), instrument: { ...INSTRUMENT, expiry: '2026-11-16' } },
    outcome: 'fails with CONTRACT_EXPIRED',
  },
  {
    when: 'it is 23:59 IST on the expiry day',
    ctx: { nowMs: istMs('2026-11-16 23:59'), instrument: { ...INSTRUMENT, expiry: '2026-11-16' } },
    outcome: 'passes',
  },
]);

const FREEZE = { instrument: { freezeQuantities: { BANKNIFTY: 900 } } };

describeCheck('freeze_quantity', [
  { when: 'no freeze quantity is configured for the underlying', ctx: {}, outcome: 'is skipped: no freeze quantity configured for BANKNIFTY' },
  { when: 'there is no instrument', ctx: { instrument: null, limits: FREEZE }, outcome: 'is skipped: no instrument' },
  { when: 'the instrument has no underlying name', ctx: { instrument: { ...INSTRUMENT, name: undefined }, limits: FREEZE }, outcome: 'is skipped: no freeze quantity configured' },
  { when: 'the quantity is below the freeze quantity', ctx: { order: { quantity: 870 }, limits: FREEZE }, outcome: 'passes' },
  { when: 'the quantity equals the freeze quantity', ctx: { order: { quantity: 900 }, limits: FREEZE }, outcome: 'passes' },
  { when: 'the quantity is one lot above the freeze quantity', ctx: { order: { quantity: 930 }, limits: FREEZE }, outcome: 'fails with FREEZE_QTY' },
  { when: 'the quantity is one unit above the freeze quantity', ctx: { order: { quantity: 901 }, limits: FREEZE }, outcome: 'fails with FREEZE_QTY' },
  { when: 'the quantity is above the freeze quantity and the order asks to be split', ctx: { order: { quantity: 1800, split: true }, limits: FREEZE }, outcome: 'passes' },
  { when: 'a split order needs exactly 10 slices, the Kite cap', ctx: { order: { quantity: 9000, split: true }, limits: FREEZE }, outcome: 'passes' },
  { when: 'a split order would need 11 slices', ctx: { order: { quantity: 9030, split: true }, limits: FREEZE }, outcome: 'fails with SPLIT_LIMIT' },
  { when: 'the quantity is above the freeze quantity and split is false', ctx: { order: { quantity: 1800, split: false }, limits: FREEZE }, outcome: 'fails with FREEZE_QTY' },
  { when: 'only another underlying has a freeze quantity', ctx: { order: { quantity: 1800 }, limits: { instrument: { freezeQuantities: { NIFTY: 1800 } } } }, outcome: 'is skipped: no freeze quantity configured' },
]);

describe('instrument checks: what they report', () => {
  it('when a split order exceeds the freeze quantity, then it passes and says a split is required', () => {
    const result = runCheck('freeze_quantity', { order: { quantity: 1800, split: true }, limits: FREEZE });
    expect(result.values).toEqual({ quantity: 1800, freezeQuantity: 900, splitRequired: true });
    expect(result.message).toContain('will be split');
  });

  it('when the quantity exceeds the freeze quantity, then the failure gives both quantities', () => {
    const result = runCheck('freeze_quantity', { order: { quantity: 930 }, limits: FREEZE });
    expect(result).toMatchObject({ values: { quantity: 930, freezeQuantity: 900 }, limit: 900 });
  });

  it('when the contract has expired, then the failure gives the expiry and today\'s IST date', () => {
    const result = runCheck('expiry', { instrument: { ...INSTRUMENT, expiry: '2026-11-16' } });
    expect(result.values).toEqual({ expiry: '2026-11-16', today: '2026-11-17' });
  });
});
