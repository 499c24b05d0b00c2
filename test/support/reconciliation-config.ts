import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Writes a reconciliation configuration to a fresh temp file. Test stacks default to a paused Schedule: a reconciler
 * correcting books every 30 s would race the assertions of tests that are not about it.
 */
export function writeReconciliationConfig(patch: Record<string, unknown> = {}): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'oms-reconciliation-')), 'reconciliation.json');
  writeFileSync(file, JSON.stringify({ enabled: false, intervalSeconds: 30, ...patch }));
  return file;
}
