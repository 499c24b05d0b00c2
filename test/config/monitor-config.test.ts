import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMonitorConfig, MonitorConfigError, MonitorConfigSchema, monitorPolicyFor } from '../../src/config/monitor-config';
import { limitBuy } from '../workflows/order-stubs';

const write = (json: unknown) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'monitor-config-')), 'monitor.json');
  fs.writeFileSync(file, JSON.stringify(json));
  return file;
};

describe('monitor configuration', () => {
  test('when the shipped file is loaded, then OCO mode, a 15:15 MIS square-off and no timeout are the defaults', () => {
    const c = loadMonitorConfig(path.resolve(__dirname, '../../config/monitor.json'));
    expect(monitorPolicyFor(c, limitBuy({ product: 'MIS' }))).toMatchObject({ mode: 'oco', squareOffAt: '15:15', timeoutMs: null });
  });

  test('when an NRML order carries no take profit or stop loss and no timeout applies, then it gets no monitor', () => {
    const c = MonitorConfigSchema.parse({});
    expect(monitorPolicyFor(c, limitBuy())).toBeNull();
    expect(monitorPolicyFor(c, limitBuy({ stopLossPaise: 9_000 }))).toMatchObject({ squareOffAt: null });
  });

  test('when a strategy overrides mode and timeout, then its orders get them', () => {
    const c = MonitorConfigSchema.parse({ strategies: { 'strat-1': { mode: 'watch', timeoutHours: 1.5 } } });
    expect(monitorPolicyFor(c, limitBuy())).toMatchObject({ mode: 'watch', timeoutMs: 5_400_000 });
  });

  test('when a key is unknown or a time malformed, then loading fails naming it', () => {
    expect(() => loadMonitorConfig(write({ squareOff: { time: '3:15pm' } }))).toThrow(/squareOff.time/);
    expect(() => loadMonitorConfig(write({ modes: 'oco' }))).toThrow(MonitorConfigError);
  });
});
