import { z } from 'zod';

/**
 * What the database can store, checked at the door: a request the columns would refuse is a 400 now, never a save that
 * fails on every retry later (a wedged order).
 */

/** Postgres `integer`. */
export const INT32_MAX = 2_147_483_647;
/** The largest price accepted, in paise (1 crore rupees): far above any F&O or equity price, well inside Decimal(14,2). */
export const MAX_PRICE_PAISE = 1_000_000_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text Postgres stores as sent: no NUL character, no unpaired UTF-16 surrogate. */
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && !LONE_SURROGATE.test(s);
}

const STORABLE = 'must not contain a NUL character or an unpaired surrogate';

/** A free-text field (a reason, a note): storable, at most `max` characters. */
export const safeText = (max: number) => z.string().max(max).refine(isStorableText, STORABLE);

/**
 * Why a JSON value cannot be stored as it is (too deep, too big, or text Postgres refuses), or null. Walks the value
 * without recursion, so a 5,000-deep document is measured, not a stack overflow.
 */
export function jsonProblem(value: unknown, limits: { maxDepth: number; maxBytes: number }): string | null {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (depth > limits.maxDepth) return `is nested deeper than ${limits.maxDepth} levels`;
    if (typeof v === 'string' && !isStorableText(v)) return STORABLE;
    if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (!isStorableText(k)) return STORABLE;
        stack.push({ v: child, depth: depth + 1 });
      }
    }
  }
  if (JSON.stringify(value).length > limits.maxBytes) return `is larger than ${limits.maxBytes} bytes as JSON`;
  return null;
}

/** Strategy metadata kept with the order: an object of at most 8 levels and 4 KB of storable JSON. */
export const metadataSchema = z.record(z.string(), z.unknown()).superRefine((v, ctx) => {
  const problem = jsonProblem(v, { maxDepth: 8, maxBytes: 4096 });
  if (problem) ctx.addIssue({ code: 'custom', message: `metadata ${problem}` });
});

/** A date filter Postgres can compare: ISO 8601, between the years 2000 and 2100. */
export const dateFilter = z.string().max(40).regex(/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'an ISO 8601 date or time')
  .transform((s, ctx) => {
    const d = new Date(s);
    const year = d.getUTCFullYear();
    if (Number.isNaN(d.getTime()) || year < 2000 || year > 2100) {
      ctx.addIssue({ code: 'custom', message: 'must be a real date between 2000 and 2100' });
      return z.NEVER;
    }
    return d;
  });
