import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AccessConfigError, canActFor, loadAccessConfig, sha256 } from '../../src/config/access-config';
import { parseEnv } from '../../src/config/env';
import { startSystem } from '../../src/system';

const write = (content: unknown) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oms-access-test-')), 'access.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
};

describe('the access configuration', () => {
  it('when a key is presented, then its hash finds its principal; an operator acts for every strategy, a strategy key for its own', () => {
    const access = loadAccessConfig(write({ keys: [
      { id: 'ops', role: 'operator', sha256: sha256('k-ops') },
      { id: 'alpha', role: 'strategy', strategies: ['alpha'], sha256: sha256('k-alpha') },
    ] }));
    const ops = access.authenticate('k-ops')!;
    const alpha = access.authenticate('k-alpha')!;
    expect(access.authenticate('k-unknown')).toBeNull();
    expect([canActFor(ops, 'beta'), canActFor(alpha, 'alpha'), canActFor(alpha, 'beta')]).toEqual([true, true, false]);
  });

  it.each([
    { title: 'a strategy key without strategies', keys: [{ id: 'a', role: 'strategy', sha256: sha256('x') }], where: 'strategies' },
    { title: 'an unknown role', keys: [{ id: 'a', role: 'admin', sha256: sha256('x') }], where: 'role' },
    { title: 'a key in clear instead of its hash', keys: [{ id: 'a', role: 'operator', sha256: 'my-secret' }], where: 'sha256' },
    { title: 'an unknown field', keys: [{ id: 'a', role: 'operator', sha256: sha256('x'), key: 'x' }], where: 'keys.0' },
  ])('when the file has $title, then loading fails naming $where', ({ keys, where }) => {
    const file = write({ keys });
    expect(() => loadAccessConfig(file)).toThrow(AccessConfigError);
    expect(() => loadAccessConfig(file)).toThrow(where);
  });

  it('when live mode starts with the shipped demo keys, then start-up refuses before anything runs', async () => {
    const env = parseEnv({ BROKER_MODE: 'live', KITE_API_KEY: 'k', KITE_API_SECRET: 's', KITE_ACCESS_TOKEN: 't', DATABASE_URL: 'postgresql://127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' });
    await expect(startSystem(env, () => undefined)).rejects.toThrow(/demo keys/);
  });
});

describe('the execution configuration', () => {
  it('when the shipped config/execution.json is loaded, then every broker operation has a strategy', async () => {
    const { loadExecutionConfig } = await import('../../src/config/execution-config');
    const { retry } = loadExecutionConfig(path.resolve(__dirname, '../../config/execution.json'));
    expect(Object.keys(retry).sort()).toEqual(['cancel', 'history', 'modify', 'place']);
    expect(retry.history.strategy).toBe('linear');
    // A 429 waits a fixed second whatever the operation: Kite's windows are a second long.
    expect(loadExecutionConfig(path.resolve(__dirname, '../../config/execution.json')).ladderFor('any').retryByError?.rateLimit).toMatchObject({ strategy: 'fixed', baseDelayMs: 1000 });
  });

  it('when a strategy is unknown or a key is misspelt, then loading fails naming it', async () => {
    const { loadExecutionConfig, ExecutionConfigError } = await import('../../src/config/execution-config');
    const bad = write({ retry: { place: { strategy: 'random', attempts: 3, baseDelayMs: 1, maxDelayMs: 1, multiplier: 1 } } });
    expect(() => loadExecutionConfig(bad)).toThrow(ExecutionConfigError);
    expect(() => loadExecutionConfig(bad)).toThrow('retry.place.strategy');
    expect(() => loadExecutionConfig(write({ retry: { plaec: {} } }))).toThrow('retry');
  });

  it('when strategies configure their ladders, then an order gets its strategy\'s fallback, chase and completion, with its own fallback override on top', async () => {
    const { loadExecutionConfig } = await import('../../src/config/execution-config');
    const config = loadExecutionConfig(write({
      retry: {},
      fallback: { defaults: { onRejection: { margin: ['manual'] } }, strategies: { s1: { reduce: { stepLots: 2 } } } },
      ladder: {
        defaults: { completion: { policy: 'cancel-remaining' } },
        strategies: { s1: { chase: { stepAfterMs: 2000, steps: 4, maxMovePercent: 1.5, thenMarket: true }, completion: { policy: 'time', afterMs: 30000, action: 'market' } } },
      },
    }));
    const s1 = config.ladderFor('s1', { manual: { timeoutMs: 5000 } });
    expect(s1.fallback.onRejection.margin).toEqual(['manual']);
    expect(s1.fallback.reduce).toEqual({ stepLots: 2, minLots: 1 });
    expect(s1.fallback.manual).toEqual({ timeoutMs: 5000, defaultAction: 'abandon' });
    expect(s1.chase).toEqual({ stepAfterMs: 2000, steps: 4, maxMoveBps: 150, thenMarket: true });
    expect(s1.completion).toEqual({ policy: 'time', afterMs: 30000, action: 'market' });
    const other = config.ladderFor('s2');
    expect(other.chase).toBeUndefined();
    expect(other.completion).toEqual({ policy: 'cancel-remaining', action: 'cancel' });
    expect(other.fallback.reduce).toEqual({ stepLots: 1, minLots: 1 });
  });

  it('when a fallback rung or ladder key is misspelt, then loading fails naming it', async () => {
    const { loadExecutionConfig } = await import('../../src/config/execution-config');
    expect(() => loadExecutionConfig(write({ retry: {}, fallback: { defaults: { onRejection: { margin: ['shrink'] } } } }))).toThrow('fallback.defaults.onRejection.margin');
    expect(() => loadExecutionConfig(write({ retry: {}, ladder: { strategies: { s1: { chase: { stepAfterMs: 10, steps: 1, maxMovePercent: 1 } } } } }))).toThrow('ladder.strategies.s1.chase.stepAfterMs');
  });
});
