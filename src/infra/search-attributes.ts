import { setTimeout as delay } from 'node:timers/promises';
import { isGrpcServiceError, type Connection } from '@temporalio/client';

export type SearchAttributeType = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

// Numeric values of temporal.api.enums.v1.IndexedValueType, as listSearchAttributes returns them.
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = { Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7 };
const TYPE_NAME = Object.fromEntries(Object.entries(INDEXED_VALUE_TYPE).map(([name, n]) => [n, name])) as Record<number, string>;
const GRPC_ALREADY_EXISTS = 6;

/** A search attribute the namespace already has under another type: waiting will not fix it, an operator must. */
export class SearchAttributeClashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchAttributeClashError';
  }
}

export interface EnsureSearchAttributesOptions {
  namespace: string;
  attributes: Record<string, SearchAttributeType>;
  /** How long to wait for the attributes to show (an external cluster adds them asynchronously). Default 60 s. */
  timeoutMs?: number;
  /** Time between reads while waiting. Default 500 ms. */
  pollMs?: number;
  log?: (line: string) => void;
}

/**
 * Registers the custom search attributes the namespace lacks and waits until listSearchAttributes shows all of
 * them. Idempotent and safe to run from several processes at once (one that loses the race meets ALREADY_EXISTS,
 * which is the outcome it wanted). An attribute registered under another type fails at once with a clear message.
 */
export async function ensureSearchAttributes(connection: Connection, options: EnsureSearchAttributesOptions): Promise<{ added: string[] }> {
  const { namespace, attributes, timeoutMs = 60_000, pollMs = 500, log = () => undefined } = options;
  const wanted = Object.entries(attributes);
  for (const [key, type] of wanted) assertValidSearchAttribute(key, type);
  const rpc = <T>(fn: () => Promise<T>): Promise<T> => connection.withDeadline(Date.now() + 10_000, fn);
  const deadline = Date.now() + timeoutMs;
  let added: string[] = [];
  let requested = false;
  let lastProblem = 'no answer yet';
  for (;;) {
    try {
      const { customAttributes } = await rpc(() => connection.operatorService.listSearchAttributes({ namespace }));
      const registered = (key: string) => customAttributes?.[key];
      assertNoClash(namespace, wanted, registered);
      const missing = wanted.filter(([key]) => registered(key) === undefined || registered(key) === null);
      if (missing.length === 0) return { added };
      lastProblem = `waiting for ${missing.map(([key]) => key).join(', ')} to show`;
      if (!requested) {
        const searchAttributes = Object.fromEntries(missing.map(([key, type]) => [key, INDEXED_VALUE_TYPE[type]]));
        await rpc(() => connection.operatorService.addSearchAttributes({ namespace, searchAttributes })).catch((err: unknown) => {
          // Another process registered them between our read and our request.
          if (!(isGrpcServiceError(err) && err.code === GRPC_ALREADY_EXISTS)) throw err;
        });
        requested = true;
        added = missing.map(([key]) => key);
        log(`search attributes registered on namespace ${namespace}: ${added.join(', ')}`);
      }
    } catch (err) {
      if (err instanceof SearchAttributeClashError) throw err;
      lastProblem = err instanceof Error ? err.message : String(err);
      requested = false;
    }
    if (Date.now() >= deadline) {
      throw new Error(`the Temporal search attributes of namespace ${namespace} were not ready within ${timeoutMs} ms (last problem: ${lastProblem})`);
    }
    await delay(pollMs);
  }
}

/** A name Temporal accepts and a type it knows, or an error naming the attribute. */
export function assertValidSearchAttribute(key: string, type: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`Invalid search attribute name '${key}'`);
  if (!(type in INDEXED_VALUE_TYPE)) throw new Error(`Invalid search attribute type '${type}' for ${key}`);
}

function assertNoClash(namespace: string, wanted: [string, SearchAttributeType][], registered: (key: string) => unknown): void {
  const clashes = wanted.filter(([key, type]) => {
    const actual = registered(key);
    return actual !== undefined && actual !== null && Number(actual) !== INDEXED_VALUE_TYPE[type];
  });
  if (clashes.length === 0) return;
  const lines = clashes.map(([key, type]) => `${key} is ${TYPE_NAME[Number(registered(key))] ?? String(registered(key))}, the OMS needs ${type}`);
  throw new SearchAttributeClashError(
    `search attribute type clash on Temporal namespace ${namespace}: ${lines.join('; ')}. ` +
      'Remove or rename the existing attribute (temporal operator search-attribute remove) before starting the OMS.',
  );
}
