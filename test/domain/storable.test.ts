import { storable, storableText } from '../../src/domain/storable';

describe('storable text (what Postgres text and jsonb accept)', () => {
  it.each([
    ['plain text', 'OPEN', 'OPEN'],
    ['a NUL inside a status', 'OP\u0000EN', 'OPEN'],
    ['a lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
    ['a lone low surrogate', 'a\uDC00b', 'a\uFFFDb'],
    ['a valid pair (an emoji)', 'ok \uD83D\uDE00', 'ok \uD83D\uDE00'],
    ['a backslash-u written as text', 'C:\\u0000', 'C:\\u0000'],
  ])('when the text is %s, then it is stored as expected', (_what, input, expected) => {
    expect(storableText(input)).toBe(expected);
  });

  it('when nothing needs cleaning, then the same object comes back (no copy on the hot path)', () => {
    const v = { state: { statusMessage: 'fine', fills: [{ quantity: 30 }] } };
    expect(storable(v)).toBe(v);
  });

  it('when a nested string or key is not storable, then every one is cleaned and numbers, nulls and booleans stay', () => {
    const v = { a: ['x\u0000', { 'k\uD800': 'v\uDC00' }], n: 3, z: null, b: true };
    expect(storable(v)).toEqual({ a: ['x', { 'k\uFFFD': 'v\uFFFD' }], n: 3, z: null, b: true });
  });
});
