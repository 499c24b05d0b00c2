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

  test('when the paper session is always open, then an MIS order is not squared off and, without levels, gets no monitor', () => {
    const c = MonitorConfigSchema.parse({});
    expect(monitorPolicyFor(c, limitBuy({ product: 'MIS' }), { alwaysOpen: true })).toBeNull();
    expect(monitorPolicyFor(c, limitBuy({ product: 'MIS', stopLossPaise: 9_000 }), { alwaysOpen: true, squareOffTime: null })).toMatchObject({ squareOffAt: null });
  });

  test('when the paper session keeps hours or sets its own square-off time, then that decides the MIS square-off', () => {
    const c = MonitorConfigSchema.parse({ strategies: { 'strat-1': { squareOffTime: '15:10' } } });
    expect(monitorPolicyFor(c, limitBuy({ product: 'MIS' }), { alwaysOpen: false })).toMatchObject({ squareOffAt: '15:10' });
    expect(monitorPolicyFor(c, limitBuy({ product: 'MIS' }), { alwaysOpen: true, squareOffTime: '23:30' })).toMatchObject({ squareOffAt: '23:30' });
    expect(monitorPolicyFor(c, limitBuy({ product: 'NRML' }), { alwaysOpen: true, squareOffTime: '23:30' })).toBeNull();
  });

  test('when the stop limit offset is null (an SL-M stop, blocked for options), then loading fails naming it', () => {
    expect(() => loadMonitorConfig(write({ stopLimitOffsetPercent: null }))).toThrow(/stopLimitOffsetPercent/);
  });

  test('when a key is unknown or a time malformed, then loading fails naming it', () => {
    expect(() => loadMonitorConfig(write({ squareOff: { time: '3:15pm' } }))).toThrow(/squareOff.time/);
    expect(() => loadMonitorConfig(write({ modes: 'oco' }))).toThrow(MonitorConfigError);
  });
});
