import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadReconciliationConfig, ReconciliationConfigError } from '../../src/config/reconciliation-config';
import { DEFAULT_POLICIES } from '../../src/domain/reconciliation';
import { projectRoot } from '../../src/infra/binaries';

const write = (json: unknown) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oms-reconciliation-')), 'reconciliation.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
};

describe('config/reconciliation.json', () => {
  it('when the shipped file is loaded, then runs are every 30 s in session and the broker is trusted for positions', () => {
    expect(loadReconciliationConfig(path.join(projectRoot(), 'config', 'reconciliation.json'))).toMatchObject({
      enabled: true, intervalSeconds: 30, outsideSession: false, policies: DEFAULT_POLICIES,
    });
  });

  it('when a file gives only one policy, then the other kinds keep their defaults', () => {
    expect(loadReconciliationConfig(write({ policies: { QUANTITY_MISMATCH: 'alert-only' } })).policies).toEqual({ ...DEFAULT_POLICIES, QUANTITY_MISMATCH: 'alert-only' });
  });

  it.each([
    { json: { intervalSeconds: 2 }, key: 'intervalSeconds' },
    { json: { policies: { PHANTOM_POSITION: 'signal-workflow' } }, key: 'policies.PHANTOM_POSITION' },
    { json: { policies: { UNKNOWN_ORDER: 'trust-broker' } }, key: 'policies.UNKNOWN_ORDER' },
    { json: { interval: 30 }, key: 'interval' },
  ])('when $key is wrong, then loading fails naming it', ({ json, key }) => {
    const file = write(json);
    expect(() => loadReconciliationConfig(file)).toThrow(ReconciliationConfigError);
    expect(() => loadReconciliationConfig(file)).toThrow(key);
  });
});
