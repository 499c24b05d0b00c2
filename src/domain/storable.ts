/**
 * Text that reaches the database from outside the API's schemas — a broker's status message, a postback, an operator's
 * note relayed by a workflow — made storable: Postgres text and jsonb refuse a NUL character and an unpaired UTF-16
 * surrogate, and a save that fails on that fails on every retry (a wedged order). NUL is dropped and a lone surrogate
 * becomes U+FFFD; everything else is kept as it is.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is removed
const NUL = /\u0000/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// JSON.stringify writes NUL as \u0000 and a lone surrogate as \udXXX: one scan tells whether anything needs cleaning.
const SUSPECT_IN_JSON = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i;

export const storableText = (s: string): string => s.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD');

/** `value` with every string (and key) storable; the same object when nothing needed it (the common case, one scan). */
export function storable<T>(value: T): T {
  if (!SUSPECT_IN_JSON.test(JSON.stringify(value) ?? '')) return value;
  return clean(value) as T;
}

function clean(v: unknown): unknown {
  if (typeof v === 'string') return storableText(v);
  if (Array.isArray(v)) return v.map(clean);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [storableText(k), clean(x)]));
  return v;
}
