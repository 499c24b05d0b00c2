import { InstrumentRegistry, buildInstruments, instrumentsCsv, nearestMonthlyOption } from '../../src/paper/instruments';
import { paperEnvSchema, parsePaperEnv } from '../../src/paper/main';
import { PricePath } from '../../src/paper/price-path';

const NOW = new Date('2026-11-24T05:00:00Z'); // Tuesday 10:30 IST, itself the November monthly expiry

describe('paper instrument universe', () => {
  const list = buildInstruments(NOW);

  it('when built for a date, then monthly expiries are the next last-Tuesdays including today', () => {
    const expiries = [...new Set(list.filter((i) => i.instrument_type === 'FUT').map((i) => i.expiry))];
    expect(expiries).toEqual(['2026-11-24', '2026-12-29', '2027-01-26']);
    expect(list.map((i) => i.tradingsymbol)).toEqual(
      expect.arrayContaining(['BANKNIFTY26NOVFUT', 'BANKNIFTY26DEC52000CE', 'BANKNIFTY27JAN50000PE', 'BANKNIFTY26NOV54000CE']),
    );
  });

  it('when weekly expiries are asked for, then they use the Kite weekly format (YY, month code, day)', () => {
    const weekly = buildInstruments(NOW, { weeklyExpiries: 2, monthlyExpiries: 1 });
    expect(weekly.map((i) => i.tradingsymbol)).toContain('BANKNIFTY26D0152000CE');
    expect(weekly.filter((i) => i.instrument_type === 'FUT')).toHaveLength(1);
  });

  it('when priced, then every option premium is positive, on the 0.05 tick, and calls gain value as strikes fall', () => {
    const options = list.filter((i) => i.segment === 'NFO-OPT');
    expect(options).toHaveLength(3 * 41 * 2);
    for (const o of options) {
      expect(o.initialPricePaise).toBeGreaterThan(0);
      expect(o.initialPricePaise % 5).toBe(0);
    }
    const dec = (strike: number) => list.find((i) => i.tradingsymbol === `BANKNIFTY26DEC${strike}CE`)!.initialPricePaise;
    expect(dec(51000)).toBeGreaterThan(dec(52000));
    expect(dec(51000) / 100).toBeGreaterThan(1000); // at least the intrinsic value
  });

  it('when the nearest monthly option is picked, then it is the closest strike of the first expiry', () => {
    expect(nearestMonthlyOption(list, 'PE', 51_040).tradingsymbol).toBe('BANKNIFTY26NOV51000PE');
    expect(nearestMonthlyOption(list, 'CE').tradingsymbol).toBe('BANKNIFTY26NOV52000CE');
  });

  it('when rendered as CSV, then the header is exactly Kite\'s', () => {
    expect(instrumentsCsv(list).split('\n')[0]).toBe(
      'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange',
    );
  });
});

describe('paper price path', () => {
  const registry = new InstrumentRegistry(buildInstruments(NOW));
  const option = nearestMonthlyOption(registry.list, 'CE', 52_000);
  const walk = (seed: number, ticks: number): number[] => {
    const path = new PricePath(seed, registry);
    return Array.from({ length: ticks }, () => {
      path.advance();
      return path.lastPaise(option);
    });
  };

  it('when two paths share a seed, then they are identical; a different seed differs', () => {
    expect(walk(42, 50)).toEqual(walk(42, 50));
    expect(walk(43, 50)).not.toEqual(walk(42, 50));
  });

  it('when an instrument is read late, then it catches up to the same price as one read every tick', () => {
    const lazy = new PricePath(42, registry);
    for (let i = 0; i < 50; i++) lazy.advance();
    expect(lazy.lastPaise(option)).toBe(walk(42, 50).pop());
  });

  it('when the walk runs long, then prices stay positive and on the tick', () => {
    for (const p of walk(1, 2000)) {
      expect(p).toBeGreaterThan(0);
      expect(p % 5).toBe(0);
    }
  });
});

describe('paper standalone configuration', () => {
  it('when the environment is empty, then the documented defaults apply', () => {
    expect(parsePaperEnv({})).toMatchObject({
      PAPER_PORT: 8090, PAPER_HOST: '127.0.0.1', KITE_API_KEY: 'paper_key', KITE_ACCESS_TOKEN: 'paper_token',
      KITE_API_SECRET: 'paper_secret', PAPER_SEED: 42,
    });
    expect(parsePaperEnv({}).PAPER_POSTBACK_URL).toBeUndefined();
  });

  it('when a value is bad, then the error names the variable', () => {
    expect(() => parsePaperEnv({ PAPER_PORT: 'eighty', PAPER_POSTBACK_URL: 'not a url' })).toThrow(/PAPER_PORT[\s\S]*PAPER_POSTBACK_URL/);
    expect(paperEnvSchema.safeParse({ PAPER_SEED: '1.5' }).success).toBe(false);
  });
});
