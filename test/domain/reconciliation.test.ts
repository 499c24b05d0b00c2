import {
  adjustBook, adjustmentFill, classifyOrders, classifyPositions, DEFAULT_POLICIES, inFlightKeys,
  type BrokerOrder, type InternalOrder, type NetPosition, type Policies,
} from '../../src/domain/reconciliation';
import { EMPTY_BOOK, applyFill } from '../../src/domain/positions';

const SYM = 'BANKNIFTY26DEC52000CE';
const pos = (quantity: number, over: Partial<NetPosition> = {}): NetPosition => ({ tradingsymbol: SYM, exchange: 'NFO', product: 'NRML', quantity, ...over });
const brk = (quantity: number, over: Partial<NetPosition> = {}): NetPosition => pos(quantity, { averagePricePaise: 10_050, ...over });

describe('classifyPositions', () => {
  it.each<[string, NetPosition[], NetPosition[], { kind: string; key: string; broker: number; internal: number }[]]>([
    ['the broker holds what the OMS does not', [brk(30)], [], [{ kind: 'UNKNOWN_POSITION', key: `NFO:${SYM}:NRML`, broker: 30, internal: 0 }]],
    ['the OMS book is flat but kept as a row', [brk(-30)], [pos(0)], [{ kind: 'UNKNOWN_POSITION', key: `NFO:${SYM}:NRML`, broker: -30, internal: 0 }]],
    ['both hold the instrument in different quantities', [brk(60)], [pos(30)], [{ kind: 'QUANTITY_MISMATCH', key: `NFO:${SYM}:NRML`, broker: 60, internal: 30 }]],
    ['the sides are opposite', [brk(-30)], [pos(30)], [{ kind: 'QUANTITY_MISMATCH', key: `NFO:${SYM}:NRML`, broker: -30, internal: 30 }]],
    ['the OMS holds what the broker does not', [], [pos(30)], [{ kind: 'PHANTOM_POSITION', key: `NFO:${SYM}:NRML`, broker: 0, internal: 30 }]],
    ['the broker lists the instrument closed (0)', [brk(0)], [pos(-60)], [{ kind: 'PHANTOM_POSITION', key: `NFO:${SYM}:NRML`, broker: 0, internal: -60 }]],
    ['both agree', [brk(30)], [pos(30)], []],
    ['both are flat', [brk(0)], [pos(0)], []],
    ['nothing is held anywhere', [], [], []],
    ['the same symbol is held under another product', [brk(30, { product: 'MIS' })], [pos(30)], [
      { kind: 'UNKNOWN_POSITION', key: `NFO:${SYM}:MIS`, broker: 30, internal: 0 },
      { kind: 'PHANTOM_POSITION', key: `NFO:${SYM}:NRML`, broker: 0, internal: 30 },
    ]],
    ['the same symbol is held on another exchange', [brk(30, { exchange: 'BFO' })], [pos(30)], [
      { kind: 'UNKNOWN_POSITION', key: `BFO:${SYM}:NRML`, broker: 30, internal: 0 },
      { kind: 'PHANTOM_POSITION', key: `NFO:${SYM}:NRML`, broker: 0, internal: 30 },
    ]],
  ])('when %s, then the findings are as listed', (_situation, broker, internal, expected) => {
    const found = classifyPositions(broker, internal, DEFAULT_POLICIES);
    expect(found.map((f) => ({ kind: f.kind, key: f.key, broker: f.broker?.quantity, internal: f.internal?.quantity }))).toEqual(expected);
  });

  it('when a kind is configured alert-only, then its finding carries that policy and the others keep theirs', () => {
    const policies: Policies = { ...DEFAULT_POLICIES, PHANTOM_POSITION: 'alert-only' };
    const found = classifyPositions([brk(30, { tradingsymbol: 'A' })], [pos(30, { tradingsymbol: 'B' })], policies);
    expect(found.map((f) => [f.kind, f.policy])).toEqual([['UNKNOWN_POSITION', 'trust-broker'], ['PHANTOM_POSITION', 'alert-only']]);
  });

  it('when OMS orders in the instrument are still working, then its finding is deferred and other instruments are not', () => {
    const working: InternalOrder = { orderId: 'o1', tag: 'oms1', brokerOrderId: 'b1', status: 'OPEN', tradingsymbol: SYM, exchange: 'NFO', product: 'NRML' };
    const done: InternalOrder = { ...working, orderId: 'o2', tag: 'oms2', status: 'FILLED', tradingsymbol: 'OTHER' };
    const found = classifyPositions([brk(30), brk(30, { tradingsymbol: 'OTHER' })], [], DEFAULT_POLICIES, inFlightKeys([working, done]));
    expect(found.map((f) => [f.tradingsymbol, f.deferred])).toEqual([[SYM, true], ['OTHER', false]]);
  });
});

describe('classifyOrders', () => {
  const b = (over: Partial<BrokerOrder>): BrokerOrder => ({ brokerOrderId: 'B1', tag: 'omsabc', status: 'COMPLETE', tradingsymbol: SYM, exchange: 'NFO', product: 'NRML', filledQuantity: 30, ...over });
  const i = (over: Partial<InternalOrder>): InternalOrder => ({ orderId: 'order-1', tag: 'omsabc', brokerOrderId: 'B1', status: 'OPEN', tradingsymbol: SYM, exchange: 'NFO', product: 'NRML', ...over });

  it.each<[string, BrokerOrder[], InternalOrder[], string[], { kind: string; orderId: string | null }[]]>([
    ['the broker completed an order the OMS still shows open', [b({})], [i({})], [], [{ kind: 'ORDER_STATUS_MISMATCH', orderId: 'order-1' }]],
    ['the broker cancelled an order the OMS has as submitted without a broker id yet', [b({ status: 'CANCELLED' })], [i({ brokerOrderId: null, status: 'SUBMITTED' })], [], [{ kind: 'ORDER_STATUS_MISMATCH', orderId: 'order-1' }]],
    ['the broker rejected an order matched by its broker id under another tag', [b({ status: 'REJECTED', tag: 'omszzz' })], [i({})], [], [{ kind: 'ORDER_STATUS_MISMATCH', orderId: 'order-1' }]],
    ['both show the order final', [b({})], [i({ status: 'FILLED' })], [], []],
    ['the broker still works the order', [b({ status: 'OPEN', filledQuantity: 0 })], [i({})], [], []],
    ['the broker is ahead only in a transient status', [b({ status: 'MODIFY PENDING' })], [i({})], [], []],
    ['a tagged broker order has no OMS order', [b({ tag: 'omsnobody', brokerOrderId: 'B9' })], [i({})], [], [{ kind: 'UNKNOWN_ORDER', orderId: null }]],
    ['the tag belonged to an earlier refused attempt', [b({ tag: 'omsold', brokerOrderId: 'B0', status: 'REJECTED' })], [i({})], ['omsold'], []],
    ['an earlier attempt carries the current tag but another broker id', [b({ brokerOrderId: 'B0', status: 'REJECTED' })], [i({ brokerOrderId: 'B1' })], [], []],
    ['the broker order is untagged', [b({ tag: null, brokerOrderId: 'B7' })], [], [], []],
    ['the broker order carries somebody else\'s tag', [b({ tag: 'manual', brokerOrderId: 'B8' })], [], [], []],
  ])('when %s, then the findings are as listed', (_situation, broker, internal, past, expected) => {
    const found = classifyOrders(broker, internal, new Set(past), DEFAULT_POLICIES);
    expect(found.map((f) => ({ kind: f.kind, orderId: f.orderId }))).toEqual(expected);
  });

  it('when an unknown order is found, then it is alert-only and keyed by the broker order id', () => {
    const [f] = classifyOrders([b({ tag: 'omsnobody', brokerOrderId: 'B9' })], [], new Set(), DEFAULT_POLICIES);
    expect(f).toMatchObject({ key: 'B9', policy: 'alert-only', broker: { tag: 'omsnobody', status: 'COMPLETE', filledQuantity: 30 } });
  });
});

describe('adjustmentFill', () => {
  const long30at100 = applyFill(EMPTY_BOOK, { tradeId: 't1', side: 'BUY', quantity: 30, pricePaise: 10_000, chargesPaise: 0n, tradingDay: '2026-11-24' }).book;

  it.each<[string, number, number | null, { side: string; quantity: number; pricePaise: number } | null, number, bigint]>([
    // target, broker average, expected fill, book quantity after, realized after
    ['the book is flat and the broker is long 30 at 100.50', 30, 10_050, { side: 'BUY', quantity: 30, pricePaise: 10_050 }, 30, 0n],
    ['the book is long 30 and the broker long 60 at 101.00', 60, 10_100, { side: 'BUY', quantity: 30, pricePaise: 10_100 }, 60, 0n],
    ['the book is long 30 and the broker flat', 0, null, { side: 'SELL', quantity: 30, pricePaise: 10_000 }, 0, 0n],
    ['the book is long 30 and the broker long 10', 10, 12_000, { side: 'SELL', quantity: 20, pricePaise: 10_000 }, 10, 0n],
    ['the book is long 30 and the broker short 30 at 99.00', -30, 9_900, { side: 'SELL', quantity: 60, pricePaise: 9_900 }, -30, -3_000n],
    ['the book already holds the broker quantity', 30, 10_050, null, 30, 0n],
  ])('when %s, then the adjustment is as listed and the book lands on the broker quantity', (situation, target, avg, expected, after, realized) => {
    const book = situation.startsWith('the book is flat') ? EMPTY_BOOK : long30at100;
    const fill = adjustmentFill(book, target, avg, 'recon:r1:k', '2026-11-24');
    expect(fill && { side: fill.side, quantity: fill.quantity, pricePaise: fill.pricePaise }).toEqual(expected);
    const next = adjustBook(book, fill);
    expect({ quantity: next.quantity, realized: next.realizedPaise }).toEqual({ quantity: after, realized });
    if (fill) expect(fill.chargesPaise).toBe(0n);
  });
});
