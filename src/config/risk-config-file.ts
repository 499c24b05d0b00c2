import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parseRiskConfig, RiskConfigError, type RiskConfig } from './risk-config';

export interface LoadedRiskConfig {
  config: RiskConfig;
  /** First 12 hex digits of the file's sha256: recorded in every order's check report. */
  version: string;
  loadedAt: string;
  path: string;
}

function read(path: string): LoadedRiskConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RiskConfigError(`cannot read the risk configuration ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RiskConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  try {
    return { config: parseRiskConfig(json), version: createHash('sha256').update(text).digest('hex').slice(0, 12), loadedAt: new Date().toISOString(), path };
  } catch (err) {
    if (err instanceof RiskConfigError) throw new RiskConfigError(`${path}: ${err.message}`);
    throw err;
  }
}

/**
 * The risk configuration file, re-read when it changes. A file that fails validation at start-up stops the process;
 * one that fails on reload is refused and the previous version stays active (running orders are never affected:
 * each was checked under the version its report names).
 */
export class RiskConfigFile {
  private loaded: LoadedRiskConfig;
  private stamp: string;
  private timer: NodeJS.Timeout | null = null;
  lastReloadError: string | null = null;

  constructor(readonly path: string, private readonly log: (msg: string) => void = () => undefined) {
    this.loaded = read(path);
    this.stamp = this.fileStamp();
  }

  current(): LoadedRiskConfig {
    return this.loaded;
  }

  /** Re-reads the file if its size or mtime changed; returns whether a new version became active. */
  reloadIfChanged(): boolean {
    const stamp = this.fileStamp();
    if (stamp === this.stamp) return false;
    this.stamp = stamp;
    try {
      const next = read(this.path);
      if (next.version === this.loaded.version) return false;
      this.loaded = next;
      this.lastReloadError = null;
      this.log(`risk configuration reloaded: version ${next.version}`);
      return true;
    } catch (err) {
      this.lastReloadError = (err as Error).message;
      this.log(`risk configuration change REFUSED, version ${this.loaded.version} stays active: ${this.lastReloadError}`);
      return false;
    }
  }

  /** Polls the file every reloadIntervalMs of the active configuration (0 = never). */
  watch(): void {
    const every = this.loaded.config.reloadIntervalMs;
    if (every <= 0 || this.timer) return;
    this.timer = setInterval(() => this.reloadIfChanged(), every);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private fileStamp(): string {
    try {
      const s = statSync(this.path);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }
}
