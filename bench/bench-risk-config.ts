import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/infra/binaries';

/** The shipped config/risk.json with its account-wide caps lifted, so every bench order runs the full check set and passes. */
export function benchRiskConfig(): any {
  const raw = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'config', 'risk.json'), 'utf8'));
  raw.defaults.capitalRupees = '1000000000';
  raw.defaults.daily = { maxOrders: 100000, maxTurnoverRupees: '100000000000', maxLossRupees: '1000000' };
  raw.defaults.exposure = { maxOpenPositions: 100, maxLotsPerSymbol: 100000, maxConcentrationPercent: 100 };
  raw.defaults.marketConditions = { ...raw.defaults.marketConditions, maxSpreadPercent: null }; // expiry-day options trade at a few paise
  raw.reloadIntervalMs = 0;
  raw.strategies = { nomargin: { margin: { enabled: false } } };
  return raw;
}
