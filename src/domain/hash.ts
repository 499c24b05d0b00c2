/** Deterministic, dependency-free hashing usable inside workflow code (no Node crypto in the sandbox). */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/** FNV-1a 64-bit over the UTF-16 code units of `text`. Not a security hash: an identity, nothing more. */
export function fnv1a64(text: string): bigint {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK;
  }
  return h;
}

/** JSON with sorted keys and no undefined members, so equal payloads hash equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Hash of a payload's canonical JSON, hex. Two hashes with different seeds make accidental equality ~2^-128. */
export function payloadHash(value: unknown): string {
  const json = canonicalJson(value);
  return fnv1a64(json).toString(16).padStart(16, '0') + fnv1a64(`oms:${json}`).toString(16).padStart(16, '0');
}

/**
 * The Kite `tag` of an order: deterministic from the order id, at most 20 chars, [A-Za-z0-9].
 * It is how an order whose place call ended in an unknown outcome is found in the broker's order book.
 */
export function brokerTagFor(orderId: string): string {
  return `oms${fnv1a64(orderId).toString(36)}`.slice(0, 20);
}
