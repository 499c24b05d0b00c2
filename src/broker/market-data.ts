import type { MarketQuote } from '../domain/risk/risk-types';
import type { BrokerQuote } from './kite-gateway';

export interface MarketDataOptions {
  /** A quote younger than this is served from the cache. */
  ttlMs: number;
  /** Kite allows one quote request per second per account. */
  minIntervalMs?: number;
  /** Keys asked for within this window are refreshed together with any fetch (default 60 s). */
  workingSetMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

const KITE_MAX_KEYS = 500;

/**
 * Quotes for the risk checks, shared by every order the worker checks. Requests for missing or expired keys are
 * batched into one GET /quote at most once per `minIntervalMs`, so a burst of orders costs one broker call per
 * second however many symbols it touches. Each fetch also refreshes the working set (every key asked for in the last
 * `workingSetMs`): with one request a second allowed, refreshing symbols one by one would make orders that rotate
 * over many symbols wait a second each. A failed fetch leaves the old entries in place: they age, and the
 * market_data_fresh rule rejects orders once they are older than the configured maximum (fail closed).
 */
export class MarketDataCache {
  private readonly cache = new Map<string, MarketQuote>();
  private readonly wanted = new Set<string>();
  private readonly askedAt = new Map<string, number>();
  private pumping: Promise<void> | null = null;
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  fetches = 0;

  constructor(private readonly source: (keys: string[]) => Promise<Map<string, BrokerQuote>>, private readonly opts: MarketDataOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The freshest quotes available for `keys` ("EXCHANGE:SYMBOL"); a key the broker never answered is absent. */
  async getQuotes(keys: string[]): Promise<Map<string, MarketQuote>> {
    for (const k of keys) this.askedAt.set(k, this.now());
    const expired = keys.filter((k) => {
      const q = this.cache.get(k);
      return !q || this.now() - q.receivedAtMs >= this.opts.ttlMs;
    });
    if (expired.length > 0) {
      for (const k of expired) this.wanted.add(k);
      await this.pump();
    }
    const out = new Map<string, MarketQuote>();
    for (const k of keys) {
      const q = this.cache.get(k);
      if (q) out.set(k, q);
    }
    return out;
  }

  private workingSet(): string[] {
    const since = this.now() - (this.opts.workingSetMs ?? 60_000);
    const keys: string[] = [];
    for (const [k, at] of this.askedAt) {
      if (at < since) this.askedAt.delete(k);
      else if (!this.wanted.has(k)) keys.push(k);
    }
    return keys;
  }

  private pump(): Promise<void> {
    if (!this.pumping) this.pumping = this.drain().finally(() => { this.pumping = null; });
    return this.pumping;
  }

  private async drain(): Promise<void> {
    while (this.wanted.size > 0) {
      const wait = this.lastFetchAt + (this.opts.minIntervalMs ?? 1000) - this.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const keys = [...this.wanted, ...this.workingSet()].slice(0, KITE_MAX_KEYS);
      for (const k of keys) this.wanted.delete(k);
      this.lastFetchAt = this.now();
      this.fetches += 1;
      try {
        const quotes = await this.source(keys);
        const receivedAtMs = this.now();
        for (const [k, q] of quotes) this.cache.set(k, { ...q, receivedAtMs });
      } catch (err) {
        this.opts.log?.(`quote fetch failed for ${keys.length} instrument(s): ${(err as Error).message}`);
      }
    }
  }
}
