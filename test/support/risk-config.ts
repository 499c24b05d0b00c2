import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RiskConfigInput } from '../../src/config/risk-config';

type Defaults = RiskConfigInput['defaults'];
type Patch = { [K in keyof Defaults]?: Defaults[K] extends object ? Partial<Defaults[K]> : Defaults[K] };

/** Every limit off but the fail-closed basics: the spine's tests run through the gate without tripping it. */
export function permissiveRiskConfig(): RiskConfigInput {
  return {
    account: 'default',
    session: { open: '09:15', close: '15:30', holidays: [] },
    marketData: { ttlMs: 1000 },
    reloadIntervalMs: 0,
    defaults: {
      capitalRupees: '10000000',
      parameters: { maxTtlMinutes: 1440, minDisclosedPercent: 10 },
      instrument: { freezeQuantities: {} },
      marketHours: { enabled: true },
      price: { bandPercent: null, minPriceRupees: null, maxPriceRupees: null, circuitLimits: false },
      marketConditions: { maxSpreadPercent: null, minVolume: null, minOpenInterest: null },
      size: { maxLots: null, maxOrderValueRupees: null, fatFinger: null },
      riskPerTrade: { maxRiskPercentOfCapital: null, minRiskReward: null, requireStopLoss: false },
      exposure: { maxOpenPositions: null, maxLotsPerSymbol: null, maxConcentrationPercent: null },
      daily: { maxOrders: null, maxTurnoverRupees: null, maxLossRupees: null },
      margin: { enabled: false, bufferPercent: 0 },
      lists: { restricted: [], watch: [] },
      marketData: { maxAgeMs: 10_000 },
    },
    strategies: {},
  };
}

/** The permissive configuration with some default sections patched (each section merged key by key). */
export function riskConfigWith(patch: Patch, extra: Partial<Omit<RiskConfigInput, 'defaults'>> = {}): RiskConfigInput {
  const base = permissiveRiskConfig();
  const defaults = { ...base.defaults } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    const cur = defaults[k];
    defaults[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' ? { ...cur, ...v } : v;
  }
  return { ...base, ...extra, defaults: defaults as Defaults };
}

/** Writes a configuration to a fresh temp file and returns its path. */
export function writeRiskConfig(config: unknown): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oms-risk-'));
  const file = path.join(dir, 'risk.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
