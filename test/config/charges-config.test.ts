import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChargesConfigError, loadChargesConfig } from '../../src/config/charges-config';
import { orderCharges } from '../../src/domain/charges';
import { paiseString } from '../../src/domain/positions';
import { projectRoot } from '../../src/infra/binaries';

const write = (json: unknown) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oms-charges-')), 'charges.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
};
const shipped = path.join(projectRoot(), 'config', 'charges.json');

describe('config/charges.json', () => {
  it('when the shipped file is loaded, then a buy of 30 at 100.00 costs the worked example\'s 24.93', () => {
    expect(paiseString(orderCharges('BUY', 300_000n, loadChargesConfig(shipped)).total)).toBe('24.93');
  });

  it.each([
    { patch: { gstPercent: '18%' }, key: 'gstPercent' },
    { patch: { brokerage: { flatPerOrder: '20.001', percentOfTurnover: null } }, key: 'brokerage.flatPerOrder' },
    { patch: { sttSellPercnt: '0.1' }, key: 'sttSellPercnt' },
  ])('when $key is wrong, then loading fails naming it', ({ patch, key }) => {
    const good = JSON.parse(readFileSync(shipped, 'utf8'));
    const file = write({ ...good, ...patch });
    expect(() => loadChargesConfig(file)).toThrow(ChargesConfigError);
    expect(() => loadChargesConfig(file)).toThrow(key);
  });
});
