import { createHash } from 'node:crypto';
import { TEST_KEYS } from '../support/access-config';
import { startStack, type Stack } from './stack';

/**
 * Hostile input on the real stack: everything the database could not store, every body the parser refuses, and a
 * filter sent as something other than JSON, is answered with a 4xx and a code at once, and changes nothing (no order,
 * no workflow, no cancel). Found by a generated hostile run: such requests used to hang or loop a save for ever.
 */
/** The API secret of this stack: postback checksums are made with it. */
const SECRET = 'hostile-test-secret';
let stack: Stack;
let symbol: string;
let seq = 0;
const cid = () => `hostile-${Date.now().toString(36)}-${++seq}`;
const order = (extra: Record<string, unknown> = {}) => ({
  clientOrderId: cid(), strategyId: 's1', tradingsymbol: symbol, exchange: 'NFO', side: 'BUY', quantity: 30, orderType: 'LIMIT', price: '1.00', product: 'NRML', ...extra,
});

beforeAll(async () => {
  stack = await startStack({ KITE_API_SECRET: SECRET });
  await stack.control('POST', '/control/config', { matching: { mode: 'manual' } });
  const instruments: { tradingsymbol: string }[] = await stack.control('GET', '/control/instruments');
  symbol = instruments.find((i) => /52000CE$/.test(i.tradingsymbol))!.tradingsymbol;
}, 120_000);
afterAll(async () => { await stack?.close(); });

/** A raw request: any body, any content type, any path. */
async function raw(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.sys.apiUrl}${path}`, { method, headers: { 'x-api-key': TEST_KEYS.operator, ...headers }, body });
  const text = await res.text();
  let json: { error?: { code: string; message: string } } | null = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json };
}

/** Marks a document of that many levels, written as text by jsonText. */
const DEEP = '__deep__';
function jsonText(v: unknown): string {
  const n = (v as Record<string, number>)[DEEP];
  return typeof n === 'number' ? `${'{"v":'.repeat(n)}{"leaf":1}${'}'.repeat(n)}` : JSON.stringify(v);
}

/** encodeURIComponent, or for text it cannot encode (a lone surrogate) the bytes a hostile client sends anyway. */
const urlText = (h: string): string => { try { return encodeURIComponent(h); } catch { return '%ED%A0%80'; } };

const ordersStored = async () => Number((await stack.sql<{ n: string }>('select count(*) as n from orders'))[0].n);

describe('values the database cannot store are refused at the door', () => {
  const lone = String.fromCharCode(0xd800);
  const deep = (n: number) => ({ [DEEP]: n });
  const cases: [string, Record<string, unknown>][] = [
    ['a quantity past a 32-bit integer', { quantity: 2 ** 31 }],
    ['a quantity past a safe integer', { quantity: 2 ** 60 }],
    ['a 13-digit price', { price: '1234567890123' }],
    ['a disclosed quantity past a 32-bit integer', { disclosedQuantity: 2 ** 31 }],
    ['a NUL in metadata', { metadata: { note: 'a\u0000b' } }],
    ['a lone surrogate in a metadata key', { metadata: { [`k${lone}`]: 1 } }],
    ['5,000-deep metadata', { metadata: deep(5000) }],
    ['metadata over 4 KB', { metadata: { blob: 'x'.repeat(5000) } }],
  ];
  it.each(cases)('when an order carries %s, then it is 400 VALIDATION_FAILED and no order exists', async (_what, extra) => {
    const before = await ordersStored();
    const { metadata, ...rest } = extra;
    const body = order(rest);
    // Written by hand: a 5,000-deep document is past what JSON.stringify can write.
    const text = metadata === undefined ? JSON.stringify(body) : `${JSON.stringify(body).slice(0, -1)},"metadata":${jsonText(metadata)}}`;
    const res = await stack.api('POST', '/api/v1/orders', text);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(await ordersStored()).toBe(before);
    expect((await stack.api('GET', `/api/v1/orders/order-${body.clientOrderId}`)).status).toBe(404);
  });

  it('when generated hostile strings fill every free-text field, then each answer is a 4xx with a code, never a 5xx', async () => {
    const hostile = ['\u0000', lone, '\uDFFF', `${'a'.repeat(600)}`, '%00', '${jndi:x}', '<script>', '\u202E', ''];
    const requests: [string, string, unknown][] = hostile.flatMap((h) => [
      ['POST', '/api/v1/orders', order({ metadata: { [h || 'k']: h } })],
      ['POST', '/api/v1/kill-switch', { action: 'engage', reason: h }],
      ['POST', '/api/v1/orders/cancel-all', { reason: h }],
      ['GET', `/api/v1/orders?strategyId=${urlText(h)}`, undefined],
      ['GET', `/api/v1/orders?from=${urlText(h || '99999-01-01')}`, undefined],
      ['GET', `/api/v1/orders?cursor=${urlText(h || 'x')}`, undefined],
    ] as [string, string, unknown][]);
    for (const [method, path, body] of requests) {
      const res = await stack.api(method, path, body);
      // Harmless text (e.g. '<script>' as a reason) may be accepted; nothing may fail on the server's side.
      expect({ method, path, status: res.status < 500 }).toEqual({ method, path, status: true });
      if (res.status >= 400) expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
    }
    // The kill switch may have been engaged by a harmless reason: release it for the tests after this one.
    await stack.api('POST', '/api/v1/kill-switch', { action: 'release', reason: 'test over' });
  });

  it('when dates out of range or a cursor that is not an order id are given, then the list answers 400', async () => {
    for (const q of ['from=300000-01-01', 'to=1969-12-31', 'from=2026-13-45', 'cursor=%27%20or%201=1']) {
      const res = await stack.api('GET', `/api/v1/orders?${q}`);
      expect({ q, status: res.status, code: res.body.error.code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
    }
  });
});

describe('bodies the parser refuses, and bodies that are not JSON', () => {
  it('when a cancel-all filter is sent as text/plain, then it is 415 and no order is cancelled', async () => {
    const placed = await stack.api('POST', '/api/v1/orders', order());
    expect(placed.status).toBe(202);
    const res = await raw('POST', '/api/v1/orders/cancel-all', JSON.stringify({ strategyId: 'nobody' }), { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.body?.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const still = await stack.api('GET', `/api/v1/orders/${placed.body.order.orderId}`);
    expect(still.body.order.status).not.toBe('CANCELLED');
    expect((await stack.api('DELETE', `/api/v1/orders/${placed.body.order.orderId}`)).status).toBe(200);
  });

  it('when the body is too large, in an unknown charset or encoding, or the path has bad percent-encoding, then each is a 4xx with its code', async () => {
    const json = { 'content-type': 'application/json' };
    const big = await raw('POST', '/api/v1/orders', JSON.stringify(order({ metadata: { blob: 'x'.repeat(200_000) } })), json);
    expect([big.status, big.body?.error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    const charset = await raw('POST', '/api/v1/orders', JSON.stringify(order()), { 'content-type': 'application/json; charset=klingon' });
    expect([charset.status, charset.body?.error?.code]).toEqual([415, 'UNSUPPORTED_CHARSET']);
    const encoding = await raw('POST', '/api/v1/orders', JSON.stringify(order()), { ...json, 'content-encoding': 'snappy' });
    expect([encoding.status, encoding.body?.error?.code]).toEqual([415, 'UNSUPPORTED_ENCODING']);
    const path = await raw('GET', '/api/v1/orders/order-%E0%A4%A', undefined);
    expect(path.status).toBe(400);
    expect(path.body?.error?.code).toMatch(/^(MALFORMED_PATH|VALIDATION_FAILED)$/);
  });
});

describe('modify fields the order type does not use', () => {
  it('when a PATCH sends a trigger price for a LIMIT order, then it is 422 FIELD_NOT_FOR_ORDER_TYPE at once and the order still answers its cancel', async () => {
    const placed = await stack.api('POST', '/api/v1/orders', order());
    expect(placed.status).toBe(202);
    const id = placed.body.order.orderId;
    const patched = await stack.api('PATCH', `/api/v1/orders/${id}`, { triggerPrice: '0.90' });
    expect({ status: patched.status, code: patched.body.error.code }).toEqual({ status: 422, code: 'FIELD_NOT_FOR_ORDER_TYPE' });
    expect((await stack.api('DELETE', `/api/v1/orders/${id}`)).status).toBe(200);
  });
});

describe('postbacks are held to the shape of Kite\'s own', () => {
  it('when a replayed postback with a valid checksum carries a status with a NUL, then it is 400 and the order still answers its cancel', async () => {
    const placed = await stack.api('POST', '/api/v1/orders', order());
    expect(placed.status).toBe(202);
    const o = placed.body.order;
    const timestamp = '2026-11-24 10:00:00';
    const checksum = createHash('sha256').update(String(o.brokerOrderId) + timestamp + SECRET).digest('hex');
    const res = await raw('POST', '/api/v1/webhooks/kite', JSON.stringify({ order_id: o.brokerOrderId, order_timestamp: timestamp, checksum, status: 'OP\u0000EN', tag: o.tag }), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    const cancelled = await stack.api('DELETE', `/api/v1/orders/${o.orderId}`);
    expect(cancelled.status).toBe(200);
  });
});
