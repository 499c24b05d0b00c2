import {
  adjustBook, adjustmentFill, classifyOrders, classifyPositions, DEFAULT_POLICIES, inFlightKeys, markPositionFindings,
  type BrokerOrder, type InternalOrder, type NetPosition, type Policies,
} from '../../src/domain/reconciliation';
import { EMPTY_BOOK, applyFill, dayPnl } from '../../src/domain/positions';

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
    ['a second broker order carries the order\'s tag', [b({ brokerOrderId: 'B1', status: 'OPEN' }), b({ brokerOrderId: 'B2', status: 'OPEN' })], [i({ brokerOrderId: 'B1' })], [], [{ kind: 'DUPLICATE_ORDER', orderId: 'order-1' }]],
    ['a broker order under the tag is not the one the order follows, even if rejected', [b({ brokerOrderId: 'B0', status: 'REJECTED' }), b({ brokerOrderId: 'B1', status: 'OPEN' })], [i({ brokerOrderId: 'B1' })], [], [{ kind: 'DUPLICATE_ORDER', orderId: 'order-1' }]],
    ['two broker orders under the tag of an order with no broker id yet: the later one is extra', [b({ brokerOrderId: 'B1', status: 'OPEN' }), b({ brokerOrderId: 'B2', status: 'OPEN' })], [i({ brokerOrderId: null, status: 'SUBMITTED' })], [], [{ kind: 'DUPLICATE_ORDER', orderId: 'order-1' }]],
    ['the broker order is untagged', [b({ tag: null, brokerOrderId: 'B7' })], [], [], []],
    ['the broker order carries somebody else\'s tag', [b({ tag: 'manual', brokerOrderId: 'B8' })], [], [], []],
  ])('when %s, then the findings are as listed', (_situation, broker, internal, past, expected) => {
    const found = classifyOrders(broker, internal, new Set(past), DEFAULT_POLICIES);
    expect(found.map((f) => ({ kind: f.kind, orderId: f.orderId }))).toEqual(expected);
  });

  it('when a duplicate is found, then it is keyed by the extra broker order, names the one the order follows, and cancel-extra is the default policy', () => {
    const found = classifyOrders([b({ brokerOrderId: 'B1', status: 'OPEN' }), b({ brokerOrderId: 'B2', status: 'OPEN', filledQuantity: 0 })], [i({ brokerOrderId: null, status: 'SUBMITTED' })], new Set(), DEFAULT_POLICIES);
    expect(found).toEqual([expect.objectContaining({ kind: 'DUPLICATE_ORDER', key: 'B2', policy: 'cancel-extra', internal: { orderId: 'order-1', status: 'SUBMITTED', brokerOrderId: 'B1' } })]);
    // its contract's position findings wait: the run books the duplicate's fills
    expect(inFlightKeys([], found).has(`NFO:${SYM}:NRML`)).toBe(true);
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
    const fill = adjustmentFill(book, target, { mark: null, brokerAveragePaise: avg }, 'recon:r1:k', '2026-11-24');
    expect(fill && { side: fill.side, quantity: fill.quantity, pricePaise: fill.pricePaise }).toEqual(expected);
    const next = adjustBook(book, fill);
    expect({ quantity: next.quantity, realized: next.realizedPaise }).toEqual({ quantity: after, realized });
    if (fill) expect(fill.chargesPaise).toBe(0n);
  });
});

describe('a correction priced at the mark', () => {
  const long300at100 = applyFill(EMPTY_BOOK, { tradeId: 't1', side: 'BUY', quantity: 300, pricePaise: 10_000, chargesPaise: 0n, tradingDay: '2026-11-24' }).book;
  const at = (p: number) => ({ mark: { pricePaise: p, source: 'quote' as const }, brokerAveragePaise: null });

  it('when the broker no longer holds a long the book has, then the account book sells it at the mark and realizes exactly the loss it showed', () => {
    const before = dayPnl(long300at100, '2026-11-24', 9_100);
    const fill = adjustmentFill(long300at100, 0, at(9_100), 'recon:r1:k', '2026-11-24')!;
    expect(fill).toMatchObject({ side: 'SELL', quantity: 300, pricePaise: 9_100, priceSource: 'quote', chargesPaise: 0n });
    const after = adjustBook(long300at100, fill);
    // 300 x (91.00 - 100.00) = -2,700.00 before (unrealized) and after (realized): the correction moves no money
    expect(before.netPaise).toBe(-270_000n);
    expect(dayPnl(after, '2026-11-24', 9_100)).toMatchObject({ realizedPaise: -270_000n, unrealizedPaise: 0n, netPaise: -270_000n });
  });

  it('when the same fill goes to the unattributed book, then strategy books plus unattributed equal the account book at any later price', () => {
    const fill = adjustmentFill(long300at100, 0, at(9_100), 'recon:r1:k', '2026-11-24')!;
    const account = adjustBook(long300at100, fill);
    const strategy = long300at100; // the strategy keeps what it traded
    const unattributed = adjustBook(EMPTY_BOOK, fill);
    expect(unattributed.quantity).toBe(-300);
    for (const ltp of [9_100, 9_500, 8_000]) {
      const sum = dayPnl(strategy, '2026-11-24', ltp).netPaise + dayPnl(unattributed, '2026-11-24', ltp).netPaise;
      expect(sum).toBe(dayPnl(account, '2026-11-24', ltp).netPaise);
    }
  });

  it('when the broker holds what the book does not, then the book opens at the mark (no P&L at the moment of the correction)', () => {
    const fill = adjustmentFill(EMPTY_BOOK, 30, { mark: { pricePaise: 10_500, source: 'broker-position' }, brokerAveragePaise: 10_025 }, 'recon:r1:k', '2026-11-24')!;
    expect(fill).toMatchObject({ side: 'BUY', quantity: 30, pricePaise: 10_500, priceSource: 'broker-position' });
    expect(dayPnl(adjustBook(EMPTY_BOOK, fill), '2026-11-24', 10_500).netPaise).toBe(0n);
  });

  it('a position finding is marked at the last price on the broker\'s line, else at the quote, else not at all; order findings are left alone', () => {
    const [onLine, phantom, unquoted] = classifyPositions(
      [brk(30, { tradingsymbol: 'A', lastPricePaise: 10_500 }), brk(0, { tradingsymbol: 'B' })],
      [pos(0, { tradingsymbol: 'A' }), pos(30, { tradingsymbol: 'B' }), pos(30, { tradingsymbol: 'C' })], DEFAULT_POLICIES,
    );
    const order = classifyOrders([{ brokerOrderId: 'X1', tag: 'omsx', status: 'OPEN', tradingsymbol: 'C', exchange: 'NFO', product: 'NRML', filledQuantity: 0 }], [], new Set(), DEFAULT_POLICIES)[0];
    const marked = markPositionFindings([onLine, phantom, unquoted, order], new Map([['NFO:A', 1], ['NFO:B', 9_100]]));
    expect(marked.map((f) => f.mark)).toEqual([{ pricePaise: 10_500, source: 'broker-position' }, { pricePaise: 9_100, source: 'quote' }, null, undefined]);
  });
});
