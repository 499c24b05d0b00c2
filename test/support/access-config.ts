import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../../src/config/access-config';

/** Keys the test stacks accept: an operator, and strategy keys for e2e/s1 and for s2 only. */
export const TEST_KEYS = { operator: 'test-operator-key', strategyA: 'test-strategy-a-key', strategyB: 'test-strategy-b-key' };

/** Writes the test access configuration to a fresh temp file and returns its path. */
export function writeAccessConfig(): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oms-access-')), 'access.json');
  writeFileSync(file, JSON.stringify({
    keys: [
      { id: 'ops', role: 'operator', sha256: sha256(TEST_KEYS.operator) },
      { id: 'strat-a', role: 'strategy', strategies: ['e2e', 's1'], sha256: sha256(TEST_KEYS.strategyA) },
      { id: 'strat-b', role: 'strategy', strategies: ['s2'], sha256: sha256(TEST_KEYS.strategyB) },
    ],
  }));
  return file;
}
