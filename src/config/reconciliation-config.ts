import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { DEFAULT_POLICIES, type Policies } from '../domain/reconciliation';

const positionPolicy = z.enum(['trust-broker', 'alert-only']);

/** config/reconciliation.json: the schedule and what to do about each kind of finding. */
export const ReconciliationConfigSchema = z.strictObject({
  note: z.string().optional(),
  /** false: no Schedule is created (an existing one is paused); runs can still be triggered by hand. */
  enabled: z.boolean().default(true),
  /** Seconds between runs (Temporal Schedule interval); runs never overlap (overlap policy SKIP). */
  intervalSeconds: z.number().int().min(5).max(86_400).default(30),
  /** Run outside the exchange session too (a run outside it otherwise does nothing and says so). */
  outsideSession: z.boolean().default(false),
  policies: z.strictObject({
    UNKNOWN_POSITION: positionPolicy.default(DEFAULT_POLICIES.UNKNOWN_POSITION),
    QUANTITY_MISMATCH: positionPolicy.default(DEFAULT_POLICIES.QUANTITY_MISMATCH),
    PHANTOM_POSITION: positionPolicy.default(DEFAULT_POLICIES.PHANTOM_POSITION),
    ORDER_STATUS_MISMATCH: z.enum(['signal-workflow', 'alert-only']).default(DEFAULT_POLICIES.ORDER_STATUS_MISMATCH),
    UNKNOWN_ORDER: z.literal('alert-only').default('alert-only'),
    DUPLICATE_ORDER: z.enum(['cancel-extra', 'alert-only']).default(DEFAULT_POLICIES.DUPLICATE_ORDER),
  }).default(DEFAULT_POLICIES),
});
export type ReconciliationConfig = z.output<typeof ReconciliationConfigSchema> & { policies: Policies };

export class ReconciliationConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReconciliationConfigError';
  }
}

/** Reads and validates the reconciliation file; throws naming the bad key. */
export function loadReconciliationConfig(path: string): ReconciliationConfig {
  return readJsonConfig(path, 'reconciliation configuration', ReconciliationConfigSchema, (m) => new ReconciliationConfigError(m));
}
