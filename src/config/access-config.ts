import { createHash } from 'node:crypto';
import { z } from 'zod';
import { readJsonConfig } from './config-file';

/**
 * API keys and their roles, from one JSON file. Keys are stored as SHA-256 hashes, never in clear:
 *   operator — everything, including interventions and operator endpoints;
 *   strategy — places, reads, modifies and cancels the orders of its own strategies only.
 */
const KeySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  role: z.enum(['operator', 'strategy']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'the hex SHA-256 of the key (echo -n KEY | sha256sum)'),
  strategies: z.array(z.string().min(1)).optional(),
}).refine((k) => k.role === 'operator' || (k.strategies?.length ?? 0) > 0, { message: 'a strategy key needs at least one strategy', path: ['strategies'] });

export const AccessConfigSchema = z.strictObject({ keys: z.array(KeySchema).min(1) });

export type Role = 'operator' | 'strategy';
export interface Principal {
  id: string;
  role: Role;
  /** The strategies a strategy key acts for; operators act for all. */
  strategies: readonly string[] | 'all';
}

/** The demo keys shipped in config/access.json for paper trading; refused in live mode. */
export const DEMO_KEYS = ['paper-operator-key', 'paper-strategy-key'];

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class AccessConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccessConfigError';
  }
}

/** Who may call the API. */
export class AccessControl {
  private readonly byHash = new Map<string, Principal>();

  constructor(keys: z.output<typeof AccessConfigSchema>['keys']) {
    for (const k of keys) {
      if (this.byHash.has(k.sha256)) throw new AccessConfigError(`key ${k.id}: the same key is configured twice`);
      this.byHash.set(k.sha256, { id: k.id, role: k.role, strategies: k.role === 'operator' ? 'all' : k.strategies ?? [] });
    }
  }

  /** The principal for a presented key, or null. */
  authenticate(key: string): Principal | null {
    return this.byHash.get(sha256(key)) ?? null;
  }

  /** Whether any demo key is configured (never acceptable with real money). */
  hasDemoKeys(): boolean {
    return DEMO_KEYS.some((k) => this.byHash.has(sha256(k)));
  }
}

export function canActFor(p: Principal, strategyId: string): boolean {
  return p.strategies === 'all' || p.strategies.includes(strategyId);
}

/** Reads and validates the access file; throws AccessConfigError naming the bad key. */
export function loadAccessConfig(path: string): AccessControl {
  const config = readJsonConfig(path, 'access configuration', AccessConfigSchema, (m) => new AccessConfigError(m));
  return new AccessControl(config.keys);
}
