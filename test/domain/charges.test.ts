import { applyRate, chargesPerFill, orderCharges, percentRate, type Charges, type ChargeRates } from '../../src/domain/charges';
import { paiseString } from '../../src/domain/positions';
import { ZERODHA } from './fixtures';

// ZERODHA (fixtures): the shipped rates. Each component is rounded half up to the paisa.
const LOWER_OF_FLAT_OR_PERCENT: ChargeRates = { ...ZERODHA, brokerage: { flatPaise: 2_000n, turnoverRate: percentRate('0.03') } };

const rupees = (c: Charges) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, paiseString(v as bigint)]));
const rupeesToBig = (r: string) => BigInt(r.replace('.', ''));

describe('charges per executed order: worked examples', () => {
  it.each([
    {
      // turnover 30 x 100.00 = 3,000.00; txn 3000 x 0.0003503 = 1.0509 -> 1.05; SEBI 3000 x 10 / 1e7 = 0.003 -> 0.00;
      // stamp 3000 x 0.00003 = 0.09; GST 0.18 x (20 + 1.05 + 0.00) = 3.789 -> 3.79; total 24.93
      case: 'a buy of 30 at 100.00', rates: ZERODHA, side: 'BUY' as const, turnover: '3000.00',
      expected: { brokerage: '20.00', stt: '0.00', transaction: '1.05', sebi: '0.00', stamp: '0.09', gst: '3.79', total: '24.93' },
    },
    {
      // turnover 30 x 120.50 = 3,615.00; STT 3615 x 0.0015 = 5.4225 -> 5.42; txn 3615 x 0.0003503 = 1.2663 -> 1.27;
      // SEBI 0.0036 -> 0.00; GST 0.18 x 21.27 = 3.8286 -> 3.83; total 20 + 5.42 + 1.27 + 3.83 = 30.52
      case: 'a sell of 30 at 120.50', rates: ZERODHA, side: 'SELL' as const, turnover: '3615.00',
      expected: { brokerage: '20.00', stt: '5.42', transaction: '1.27', sebi: '0.00', stamp: '0.00', gst: '3.83', total: '30.52' },
    },
    {
      // turnover 600 x 500.00 = 3,00,000.00; STT 450.00; txn 105.09; SEBI 300000 x 1e-6 = 0.30;
      // GST 0.18 x (20 + 105.09 + 0.30) = 22.5702 -> 22.57; total 597.96
      case: 'a sell of 600 at 500.00', rates: ZERODHA, side: 'SELL' as const, turnover: '300000.00',
      expected: { brokerage: '20.00', stt: '450.00', transaction: '105.09', sebi: '0.30', stamp: '0.00', gst: '22.57', total: '597.96' },
    },
    {
      // brokerage = lower of 20 and 3000 x 0.0003 = 0.90; GST 0.18 x (0.90 + 1.05) = 0.351 -> 0.35; total 2.39
      case: 'a small buy under the lower-of rule', rates: LOWER_OF_FLAT_OR_PERCENT, side: 'BUY' as const, turnover: '3000.00',
      expected: { brokerage: '0.90', stt: '0.00', transaction: '1.05', sebi: '0.00', stamp: '0.09', gst: '0.35', total: '2.39' },
    },
    {
      // 0.03% of 1,00,000 is 30 > 20: the flat fee; txn 35.03; SEBI 0.10; stamp 3.00; GST 0.18 x 55.13 = 9.9234 -> 9.92
      case: 'a large buy under the lower-of rule', rates: LOWER_OF_FLAT_OR_PERCENT, side: 'BUY' as const, turnover: '100000.00',
      expected: { brokerage: '20.00', stt: '0.00', transaction: '35.03', sebi: '0.10', stamp: '3.00', gst: '9.92', total: '68.05' },
    },
  ])('when $case executes, then the charges are the hand-computed figures', ({ rates, side, turnover, expected }) => {
    expect(rupees(orderCharges(side, rupeesToBig(turnover), rates))).toEqual(expected);
  });

  it('when an order never executed, then it costs nothing', () => {
    expect(orderCharges('BUY', 0n, ZERODHA).total).toBe(0n);
  });

  it('when an order fills in two parts, then the first carries the flat brokerage and the parts add up to the whole order', () => {
    // after 10 x 100 (1,000.00): 20 + txn 0.35 + stamp 0.03 + GST 0.18 x 20.35 = 3.663 -> 3.66 = 24.04
    // after 30 x 100 (3,000.00): 24.93 as above, so the second part carries 0.89 (txn 0.70, stamp 0.06, GST 0.13)
    const [first, second] = chargesPerFill('BUY', [{ quantity: 10, pricePaise: 10_000 }, { quantity: 20, pricePaise: 10_000 }], ZERODHA);
    expect(rupees(first)).toEqual({ brokerage: '20.00', stt: '0.00', transaction: '0.35', sebi: '0.00', stamp: '0.03', gst: '3.66', total: '24.04' });
    expect(rupees(second)).toEqual({ brokerage: '0.00', stt: '0.00', transaction: '0.70', sebi: '0.00', stamp: '0.06', gst: '0.13', total: '0.89' });
    expect(paiseString(first.total + second.total)).toBe('24.93');
  });

  it.each([
    { base: 1n, percent: '50', paise: 1n, why: 'half a paisa rounds up' },
    { base: 1n, percent: '49.99', paise: 0n, why: 'under half a paisa rounds down' },
    { base: 300_000n, percent: '0.03503', paise: 105n, why: '1.0509 rupees rounds to 1.05' },
  ])('when $base paise is charged $percent%, then it is $paise paise because $why', ({ base, percent, paise }) => {
    expect(applyRate(base, percentRate(percent))).toBe(paise);
  });
});
