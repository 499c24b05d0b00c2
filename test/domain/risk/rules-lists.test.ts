import { describeCheck, REDUCE_ONLY_SELL, runCheck } from './risk-fixtures';

const SYMBOL = 'BANKNIFTY26NOV52000CE';

describeCheck('restricted_list', [
  { when: 'the restricted list is empty', ctx: {}, outcome: 'passes' },
  { when: 'neither the symbol nor its underlying is restricted', ctx: { limits: { lists: { restricted: ['NIFTY', 'RELIANCE'], watch: [] } } }, outcome: 'passes' },
  { when: 'the tradingsymbol is restricted', ctx: { limits: { lists: { restricted: [SYMBOL], watch: [] } } }, outcome: 'fails with RESTRICTED_SYMBOL' },
  { when: 'the underlying BANKNIFTY is restricted', ctx: { limits: { lists: { restricted: ['BANKNIFTY'], watch: [] } } }, outcome: 'fails with RESTRICTED_SYMBOL' },
  { when: 'the underlying is restricted and the order is a reduce-only exit', ctx: { ...REDUCE_ONLY_SELL, limits: { lists: { restricted: ['BANKNIFTY'], watch: [] } } }, outcome: 'passes' },
  {
    when: 'the underlying is restricted and the sell is larger than the held long',
    ctx: { ...REDUCE_ONLY_SELL, order: { side: 'SELL', quantity: 120 }, limits: { lists: { restricted: ['BANKNIFTY'], watch: [] } } },
    outcome: 'fails with RESTRICTED_SYMBOL',
  },
]);

describe('restricted_list: what it reports', () => {
  it('when a restricted name blocks an order, then the failure names the matching entry', () => {
    const result = runCheck('restricted_list', { limits: { lists: { restricted: ['BANKNIFTY'], watch: [] } } });
    expect(result.message).toBe('BANKNIFTY is on the restricted list');
    expect(result.values).toEqual({ tradingsymbol: SYMBOL, restricted: 'BANKNIFTY' });
  });

  it('when a reduce-only order exits a restricted name, then the message says it is allowed to exit', () => {
    const result = runCheck('restricted_list', { ...REDUCE_ONLY_SELL, limits: { lists: { restricted: ['BANKNIFTY'], watch: [] } } });
    expect(result.message).toBe('BANKNIFTY is restricted; a reduce-only order is allowed to exit');
  });
});

describe('watch_list', () => {
  it.each([
    { when: 'the underlying is watched', watch: ['BANKNIFTY'], flagged: true },
    { when: 'the tradingsymbol is watched', watch: [SYMBOL], flagged: true },
    { when: 'only other names are watched', watch: ['NIFTY'], flagged: false },
  ])('when $when, then it passes with flagged=$flagged', ({ watch, flagged }) => {
    const result = runCheck('watch_list', { limits: { lists: { restricted: [], watch } } });
    expect(result).toMatchObject({ status: 'passed', passed: true });
    expect(result.flagged === true).toBe(flagged);
    if (flagged) expect(result.message).toMatch(/is on the watch list$/);
  });
});
