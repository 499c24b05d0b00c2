import { DEFAULT_RETRY } from '../../src/domain/retry-strategy';
import { sparseConfig } from '../../src/workflows/order-config';

describe('the order config as the workflow input carries it', () => {
  it('when every retry strategy is the default, then the retry table is left out (the workflow fills the defaults in)', () => {
    expect(sparseConfig({ pollMinMs: 5, retry: { ...DEFAULT_RETRY } })).toEqual({ pollMinMs: 5 });
  });

  it('when one operation differs, then only that operation is carried, and a strategy written in another key order still counts as the default', () => {
    const place = { ...DEFAULT_RETRY.place, attempts: 9 };
    const cancel = { multiplier: 2, maxDelayMs: 15_000, baseDelayMs: 1000, attempts: 8, strategy: 'exponential' as const };
    expect(sparseConfig({ retry: { ...DEFAULT_RETRY, place, cancel } })).toEqual({ retry: { place } });
  });
});
