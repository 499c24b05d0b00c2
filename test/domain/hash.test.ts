import { brokerTagFor, canonicalJson, fnv1a64, payloadHash } from '../../src/domain/hash';

describe('brokerTagFor: the Kite tag that finds an order after an unknown place outcome', () => {
  const ids = [
    'ord_01JD3K5Z7Q8M9N0P1R2S3T4V5W',
    '3f2b8c1e-9d4a-4e7b-8c6f-2a1b0c9d8e7f',
    'a',
    '',
    'x'.repeat(500),
    'ऑर्डर-₹-१२३',
  ];

  it.each(ids)('when the order id is %j, then the tag is at most 20 alphanumeric chars', (id) => {
    const tag = brokerTagFor(id);
    expect(tag.length).toBeLessThanOrEqual(20);
    expect(tag).toMatch(/^[A-Za-z0-9]+$/);
    expect(tag.startsWith('oms')).toBe(true);
  });

  it.each(ids)('when the tag of %j is computed twice, then it is the same (deterministic recovery)', (id) => {
    expect(brokerTagFor(id)).toBe(brokerTagFor(String(id)));
  });

  it('when orders have different ids, then they get different tags', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => `order-${i}`);
    expect(new Set(many.map(brokerTagFor)).size).toBe(many.length);
  });
});

describe('fnv1a64', () => {
  it.each([
    { text: '', hash: 0xcbf29ce484222325n },
    { text: 'a', hash: 0xaf63dc4c8601ec8cn },
    { text: 'foobar', hash: 0x85944171f73967e8n },
  ])('when hashing $text, then it matches the published FNV-1a 64 test vector', ({ text, hash }) => {
    expect(fnv1a64(text)).toBe(hash);
  });
});

describe('payloadHash: idempotency identity of an order payload', () => {
  it.each([
    {
      title: 'when only the key order differs, then the hashes are equal',
      a: { side: 'BUY', quantity: 30, pricePaise: 10_000 },
      b: { pricePaise: 10_000, quantity: 30, side: 'BUY' },
    },
    {
      title: 'when nested objects differ only in key order, then the hashes are equal',
      a: { order: { side: 'SELL', qty: 30 }, meta: { strategy: 's1', tags: ['x', 'y'] } },
      b: { meta: { tags: ['x', 'y'], strategy: 's1' }, order: { qty: 30, side: 'SELL' } },
    },
    {
      title: 'when one payload carries undefined members, then it hashes like the payload without them',
      a: { side: 'BUY', quantity: 30, triggerPricePaise: undefined },
      b: { side: 'BUY', quantity: 30 },
    },
  ])('$title', ({ a, b }) => {
    expect(payloadHash(a)).toBe(payloadHash(b));
  });

  it.each([
    { title: 'when the quantity differs, then the hashes differ', a: { quantity: 30 }, b: { quantity: 60 } },
    { title: 'when the side differs, then the hashes differ', a: { side: 'BUY' }, b: { side: 'SELL' } },
    { title: 'when a number becomes a string, then the hashes differ', a: { quantity: 30 }, b: { quantity: '30' } },
    { title: 'when array order differs, then the hashes differ (arrays are ordered)', a: { legs: [1, 2] }, b: { legs: [2, 1] } },
    { title: 'when a field is null instead of absent, then the hashes differ', a: { price: null }, b: {} },
  ])('$title', ({ a, b }) => {
    expect(payloadHash(a)).not.toBe(payloadHash(b));
  });

  it('when hashed, then the result is 32 lowercase hex chars and stable', () => {
    const h = payloadHash({ side: 'BUY', quantity: 30 });
    expect(h).toMatch(/^[0-9a-f]{32}$/);
    expect(payloadHash({ quantity: 30, side: 'BUY' })).toBe(h);
  });

  it('when serialised canonically, then keys are sorted at every depth and undefined members dropped', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
  });
});
