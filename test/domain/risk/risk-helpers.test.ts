import { formatBps, formatRatio, ratioBps } from '../../../src/domain/risk/risk-helpers';

describe('percentages from basis points', () => {
  it.each([
    { bps: 1000, text: '10.00%' },
    { bps: 5, text: '0.05%' },
    { bps: 0, text: '0.00%' },
    { bps: -250, text: '-2.50%' },
    { bps: 123_456, text: '1234.56%' },
  ])('when $bps bps is formatted, then it reads $text', ({ bps, text }) => {
    expect(formatBps(bps)).toBe(text);
  });

  it.each([
    { part: 1, whole: 3, text: '33.33%' },
    { part: 2, whole: 3, text: '66.67%' },
    { part: 1, whole: 20_000, text: '0.01%' }, // 0.5 bps rounds half up
    { part: 3_000, whole: 10_000, text: '30.00%' },
    { part: 1, whole: 0, text: 'n/a' },
  ])('when $part is expressed as a share of $whole, then it reads $text', ({ part, whole, text }) => {
    expect(formatRatio(part, whole)).toBe(text);
  });

  it('when the figures exceed 2^53, then the ratio is still exact', () => {
    expect(ratioBps(2n ** 60n, 2n ** 62n)).toBe(2500n);
  });
});
