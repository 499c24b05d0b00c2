import { bookChanges, type BookOrder } from '../../src/domain/order-book-watch';

const order = (id: string, over: Partial<BookOrder> = {}): BookOrder => ({
  brokerOrderId: id, tag: `t-${id}`, status: 'OPEN', quantity: 90, filledQuantity: 0, averagePrice: 0, price: 100, triggerPrice: 0, ...over,
});

describe('order book changes', () => {
  it('on the first read, then every tagged order is a change; an order without a tag (not ours) never is', () => {
    const { changed } = bookChanges(new Map(), [order('1'), order('2'), order('3', { tag: null })]);
    expect(changed.map((o) => o.brokerOrderId)).toEqual(['1', '2']);
  });

  it('when nothing moved, then nothing is a change', () => {
    const first = bookChanges(new Map(), [order('1'), order('2')]);
    expect(bookChanges(first.memory, [order('1'), order('2')]).changed).toEqual([]);
  });

  it.each([
    ['a fill', { filledQuantity: 30, averagePrice: 100 }],
    ['a new status', { status: 'CANCELLED' }],
    ['a modified price', { price: 101 }],
    ['a modified quantity', { quantity: 120 }],
    ['a modified trigger', { triggerPrice: 99 }],
  ])('when an order shows %s, then that order alone is a change', (_what, over) => {
    const first = bookChanges(new Map(), [order('1'), order('2')]);
    const next = bookChanges(first.memory, [order('1', over), order('2')]);
    expect(next.changed).toEqual([order('1', over)]);
    expect(bookChanges(next.memory, [order('1', over), order('2')]).changed).toEqual([]);
  });

  it('when an order leaves the book, then it is forgotten, and it is a change again if it comes back', () => {
    const first = bookChanges(new Map(), [order('1'), order('2')]);
    const gone = bookChanges(first.memory, [order('2')]);
    expect([...gone.memory.keys()]).toEqual(['2']);
    expect(bookChanges(gone.memory, [order('1'), order('2')]).changed.map((o) => o.brokerOrderId)).toEqual(['1']);
  });
});
