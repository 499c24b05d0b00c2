import { readFileSync, writeFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from '../../src/config/env';
import { parseRiskConfig, RiskConfigError } from '../../src/config/risk-config';
import { RiskConfigFile } from '../../src/config/risk-config-file';
import { startSystem } from '../../src/system';
import { permissiveRiskConfig, riskConfigWith, writeRiskConfig } from '../support/risk-config';

const projectConfig = () => JSON.parse(readFileSync(path.resolve(__dirname, '../../config/risk.json'), 'utf8'));

describe('the risk configuration file', () => {
  it('when the shipped config/risk.json is parsed, then it is valid and money and percentages become paise and basis points', () => {
    const limits = parseRiskConfig(projectConfig()).resolve('any-strategy');
    expect(limits.capitalPaise).toBe(100_000_000); // Rs 10,00,000
    expect(limits.price.bandBps).toBe(2000); // 20%
    expect(limits.daily.maxLossPaise).toBe(5_000_000); // Rs 50,000
    expect(limits.instrument.freezeQuantities.BANKNIFTY).toBe(600);
  });

  it('when a strategy overrides one key of a section, then only that key changes and other strategies keep the defaults', () => {
    const config = parseRiskConfig({ ...permissiveRiskConfig(), strategies: { scalper: { size: { maxLots: 5 } }, whale: { capitalRupees: '50000000.50' } } });
    expect(config.resolve('scalper').size).toEqual({ maxLots: 5, maxOrderValuePaise: null, fatFinger: null });
    expect(config.resolve('whale').capitalPaise).toBe(5_000_000_050);
    expect(config.resolve('other').size.maxLots).toBeNull();
  });

  it.each([
    { title: 'an unknown top-level key', patch: (c: any) => ({ ...c, surprise: 1 }), path: '(root)' },
    { title: 'an unknown key in a section', patch: (c: any) => ({ ...c, defaults: { ...c.defaults, price: { ...c.defaults.price, bandPercnt: 5 } } }), path: 'defaults.price' },
    { title: 'a negative rupee amount', patch: (c: any) => ({ ...c, defaults: { ...c.defaults, daily: { ...c.defaults.daily, maxLossRupees: '-5' } } }), path: 'defaults.daily.maxLossRupees' },
    { title: 'a rupee amount finer than a paisa', patch: (c: any) => ({ ...c, defaults: { ...c.defaults, capitalRupees: '10.001' } }), path: 'defaults.capitalRupees' },
    { title: 'a percentage with 3 decimals', patch: (c: any) => ({ ...c, defaults: { ...c.defaults, price: { ...c.defaults.price, bandPercent: 1.125 } } }), path: 'defaults.price.bandPercent' },
    { title: 'a quote TTL under Kite\'s 1 request/s', patch: (c: any) => ({ ...c, marketData: { ttlMs: 500 } }), path: 'marketData.ttlMs' },
    { title: 'a session time that is not HH:MM', patch: (c: any) => ({ ...c, session: { ...c.session, open: '9:15' } }), path: 'session.open' },
    { title: 'a strategy override with an unknown key', patch: (c: any) => ({ ...c, strategies: { s1: { size: { maxLotz: 1 } } } }), path: 'strategies.s1' },
    { title: 'a strategy override with a bad value', patch: (c: any) => ({ ...c, strategies: { s1: { exposure: { maxLotsPerSymbol: -1 } } } }), path: 'strategies.s1' },
  ])('when the file has $title, then loading fails naming $path', ({ patch, path: where }) => {
    const load = () => parseRiskConfig(patch(permissiveRiskConfig()));
    expect(load).toThrow(RiskConfigError);
    expect(load).toThrow(where);
  });

  it('when the file is changed to a valid version, then reloading activates it; an invalid change is refused and the old version stays', () => {
    const file = writeRiskConfig(permissiveRiskConfig());
    const logs: string[] = [];
    const watched = new RiskConfigFile(file, (m) => logs.push(m));
    const v1 = watched.current().version;
    const touch = (config: unknown, secondsLater: number) => {
      writeFileSync(file, JSON.stringify(config));
      const t = new Date(Date.now() + secondsLater * 1000);
      utimesSync(file, t, t);
    };
    touch(riskConfigWith({ size: { maxLots: 7 } }), 1);
    expect(watched.reloadIfChanged()).toBe(true);
    const v2 = watched.current().version;
    expect(v2).not.toBe(v1);
    expect(watched.current().config.resolve('x').size.maxLots).toBe(7);

    touch({ ...permissiveRiskConfig(), account: '' }, 2);
    expect(watched.reloadIfChanged()).toBe(false);
    expect(watched.current().version).toBe(v2);
    expect(watched.lastReloadError).toMatch(/account/);
    expect(logs.at(-1)).toMatch(/REFUSED/);
  });

  it('when the system starts with an invalid risk file, then start-up fails with the offending key before anything runs', async () => {
    const file = writeRiskConfig({ ...permissiveRiskConfig(), defaults: { ...permissiveRiskConfig().defaults, margin: { enabled: 'yes', bufferPercent: 0 } } });
    await expect(startSystem(parseEnv({ RISK_CONFIG_FILE: file, DATABASE_URL: 'postgresql://127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' }), () => undefined))
      .rejects.toThrow(/defaults\.margin\.enabled/);
  });
});
