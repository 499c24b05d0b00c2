import { z } from 'zod';
import { KITE_ERROR_TYPES } from './errors';

const count = z.number().int().min(1).max(1_000_000);
const routes = z.enum(['orders', 'quotes', 'all']);

/** Body of POST /control/faults (one fault or an array of faults). */
export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('reject_next'),
    count: count.default(1),
    error_type: z.enum(KITE_ERROR_TYPES),
    message: z.string().min(1),
    status: z.number().int().min(400).max(599).optional(),
  }),
  z.strictObject({
    kind: z.literal('http_error'),
    status: z.number().int().min(400).max(599),
    count: count.default(1),
    routes: routes.default('orders'),
  }),
  z.strictObject({
    kind: z.literal('delay'),
    ms: z.number().int().min(0).max(600_000),
    count: count.default(1),
    routes: routes.default('all'),
  }),
  z.strictObject({
    kind: z.literal('accept_then_timeout'),
    count: count.default(1),
    delayMs: z.number().int().min(0).max(600_000).default(30_000),
  }),
  z.strictObject({
    kind: z.literal('drop_postbacks'),
    /** Omitted: drop every postback until the faults are cleared. */
    count: count.optional(),
  }),
]);
export const faultsBodySchema = z.union([faultSchema, z.array(faultSchema).min(1)]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];
type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;

/** Queued faults; each use consumes one from the oldest matching fault. */
export class FaultQueue {
  private faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Takes one use of the first fault of `kind` that `matches`, or undefined. */
  take<K extends FaultKind>(kind: K, matches: (f: FaultOf<K>) => boolean = () => true): FaultOf<K> | undefined {
    const index = this.faults.findIndex((f) => f.kind === kind && matches(f as FaultOf<K>));
    if (index < 0) return undefined;
    const fault = this.faults[index] as FaultOf<K>;
    if (fault.count === undefined) return { ...fault };
    fault.count -= 1;
    if (fault.count <= 0) this.faults.splice(index, 1);
    return { ...fault };
  }
}
