import { paiseToNumber, paiseToRupees, toPaise, vwapRupees } from '../../src/domain/money';

describe('toPaise: rupee amounts become integer paise', () => {
  it.each([
    { input: '123.45', paise: 12_345 },
    { input: 123.45, paise: 12_345 },
    { input: '100', paise: 10_000 },
    { input: 100, paise: 10_000 },
    { input: '0.05', paise: 5 },
    { input: 0.05, paise: 5 },
    { input: '0.5', paise: 50 },
    { input: 0.1, paise: 10 },
    { input: '  42.10  ', paise: 4_210 },
    { input: '123.450', paise: 12_345 },
    { input: '7.000000', paise: 700 },
    { input: '-12.30', paise: -1_230 },
    { input: '90071992547409.91', paise: Number.MAX_SAFE_INTEGER },
  ])('when the price is $input, then it is $paise paise', ({ input, paise }) => {
    expect(toPaise(input)).toBe(paise);
  });

  it.each([
    { input: '123.456', why: 'three decimals are finer than a paisa' },
    { input: '1.005', why: 'three decimals are finer than a paisa' },
    { input: 2.675, why: 'a number with three decimals is finer than a paisa' },
    { input: 0.001, why: 'a tenth of a paisa is not a price' },
    { input: 0.1 + 0.2, why: 'a float artefact (0.30000000000000004) is not silently rounded' },
    { input: 'abc', why: 'it is not a number' },
    { input: '', why: 'it is empty' },
    { input: '12.', why: 'it has a dangling decimal point' },
    { input: '.5', why: 'it has no whole part' },
    { input: '+5', why: 'an explicit plus sign is not accepted' },
    { input: '1e3', why: 'exponent notation is not accepted' },
    { input: 1e21, why: 'the number only prints in exponent notation' },
    { input: '1,000.00', why: 'thousands separators are not accepted' },
    { input: Number.NaN, why: 'NaN is not a price' },
    { input: Number.POSITIVE_INFINITY, why: 'Infinity is not a price' },
    { input: '90071992547409.92', why: 'it does not fit a safe integer of paise' },
  ])('when the price is $input, then it is rejected because $why', ({ input }) => {
    expect(toPaise(input)).toBeNull();
  });
});

describe('paiseToRupees / paiseToNumber: paise back to rupees for display and the wire', () => {
  it.each([
    { paise: 12_345, rupees: '123.45', num: 123.45 },
    { paise: 10_000, rupees: '100.00', num: 100 },
    { paise: 5, rupees: '0.05', num: 0.05 },
    { paise: 50, rupees: '0.50', num: 0.5 },
    { paise: 0, rupees: '0.00', num: 0 },
    { paise: -1_230, rupees: '-12.30', num: -12.3 },
    { paise: -5, rupees: '-0.05', num: -0.05 },
  ])('when the amount is $paise paise, then it reads "$rupees" rupees', ({ paise, rupees, num }) => {
    expect(paiseToRupees(paise)).toBe(rupees);
    expect(paiseToNumber(paise)).toBe(num);
  });

  it.each([1, 5, 99, 100, 12_345, 5_200_005, -7, -12_345])(
    'when %i paise is printed and parsed again, then nothing is lost',
    (paise) => {
      expect(toPaise(paiseToRupees(paise))).toBe(paise);
      expect(toPaise(paiseToNumber(paise))).toBe(paise);
    },
  );
});

describe('vwapRupees: the average fill price of an order', () => {
  it.each([
    {
      title: 'when one trade fills the order, then the average is its price with 4 decimals',
      fills: [{ quantity: 30, pricePaise: 12_345 }],
      avg: '123.4500',
    },
    {
      title: 'when partial fills arrive at different prices, then the average is the volume-weighted mean (not the simple mean 101.5000)',
      fills: [{ quantity: 30, pricePaise: 10_000 }, { quantity: 60, pricePaise: 10_300 }],
      avg: '102.0000',
    },
    {
      title: 'when the mean has more than 4 decimals below half, then it rounds down (100.00333… -> 100.0033)',
      fills: [{ quantity: 2, pricePaise: 10_000 }, { quantity: 1, pricePaise: 10_001 }],
      avg: '100.0033',
    },
    {
      title: 'when the mean has more than 4 decimals above half, then it rounds up (100.00666… -> 100.0067)',
      fills: [{ quantity: 1, pricePaise: 10_000 }, { quantity: 2, pricePaise: 10_001 }],
      avg: '100.0067',
    },
    {
      title: 'when the mean sits exactly on half a unit of the 4th decimal, then it rounds half up (100.00125 -> 100.0013)',
      fills: [{ quantity: 7, pricePaise: 10_000 }, { quantity: 1, pricePaise: 10_001 }],
      avg: '100.0013',
    },
    {
      title: 'when quantities and prices are large, then the average is exact (no float overflow)',
      fills: [{ quantity: 1_000_000, pricePaise: 99_999_999 }, { quantity: 1_000_000, pricePaise: 99_999_999 }],
      avg: '999999.9900',
    },
    {
      title: 'when many tiny fills at 0.05 steps arrive, then no float drift creeps in',
      fills: Array.from({ length: 10 }, (_, i) => ({ quantity: 30, pricePaise: 10_000 + 5 * i })),
      avg: '100.2250',
    },
    {
      title: 'when a zero-quantity entry is among the fills, then it does not move the average',
      fills: [{ quantity: 30, pricePaise: 10_000 }, { quantity: 0, pricePaise: 99_999 }],
      avg: '100.0000',
    },
  ])('$title', ({ fills, avg }) => {
    expect(vwapRupees(fills)).toBe(avg);
  });

  it.each([
    { title: 'when nothing has filled, then there is no average price', fills: [] },
    { title: 'when every fill has zero quantity, then there is no average price', fills: [{ quantity: 0, pricePaise: 10_000 }] },
  ])('$title', ({ fills }) => {
    expect(vwapRupees(fills)).toBeNull();
  });
});
