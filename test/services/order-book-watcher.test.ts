import type { BookOrder } from '../../src/domain/order-book-watch';
import { OrderBookWatcher, type KnownOrder } from '../../src/services/order-book-watcher';

const order = (id: string, over: Partial<BookOrder> = {}): BookOrder => ({
  brokerOrderId: id, tag: `t-${id}`, status: 'OPEN', quantity: 90, filledQuantity: 0, averagePrice: 0, price: 100, triggerPrice: 0, ...over,
});

/** The OMS's saved view: each order known, working, as the workflow last saw it (OPEN, nothing filled). */
function savedOrders(over: Record<string, Partial<KnownOrder>> = {}) {
  return async (tags: string[]) => tags.map((tag) => ({ tag, status: 'OPEN', brokerStatus: 'OPEN', filledQuantity: 0, ...over[tag] }));
}

describe('order book watcher', () => {
  it('when the book shows what the OMS has already saved, then nothing is signalled; a change it has not seen is', async () => {
    let book = [order('1'), order('2')];
    const delivered: string[] = [];
    const watcher = new OrderBookWatcher({
      readBook: async () => book, intervalMs: 1000, log: () => undefined, known: savedOrders({ 't-2': { brokerStatus: 'OPEN PENDING' } }),
      deliver: async (o) => { delivered.push(`${o.brokerOrderId}:${o.status}`); },
    });
    expect(await watcher.readOnce()).toBe(1); // order 2's workflow last saw OPEN PENDING
    book = [order('1', { status: 'COMPLETE', filledQuantity: 90 }), order('2')];
    expect(await watcher.readOnce()).toBe(1);
    expect(delivered).toEqual(['2:OPEN', '1:COMPLETE']);
  });

  it('when the order is unknown to the OMS or has ended there, then it is not signalled', async () => {
    const delivered: string[] = [];
    const watcher = new OrderBookWatcher({
      readBook: async () => [order('1', { status: 'COMPLETE', filledQuantity: 90 }), order('2', { status: 'COMPLETE', filledQuantity: 90 })],
      intervalMs: 1000, log: () => undefined,
      known: async () => [{ tag: 't-2', status: 'FILLED', brokerStatus: 'OPEN', filledQuantity: 30 }],
      deliver: async (o) => { delivered.push(o.brokerOrderId); },
    });
    expect(await watcher.readOnce()).toBe(0);
    expect(delivered).toEqual([]);
  });

  it('when a signal fails, then that order is offered again at the next read, and the others are not', async () => {
    let book = [order('1', { status: 'COMPLETE', filledQuantity: 90 }), order('2', { status: 'COMPLETE', filledQuantity: 90 })];
    const delivered: string[] = [];
    let failFor: string | null = '2';
    const watcher = new OrderBookWatcher({
      readBook: async () => book, intervalMs: 1000, log: () => undefined, known: savedOrders(),
      deliver: async (o) => {
        if (o.brokerOrderId === failFor) throw new Error('Temporal unavailable');
        delivered.push(`${o.brokerOrderId}:${o.status}`);
      },
    });
    expect(await watcher.readOnce()).toBe(1);
    failFor = null;
    expect(await watcher.readOnce()).toBe(1);
    book = [order('1', { status: 'COMPLETE', filledQuantity: 90 }), order('2', { status: 'CANCELLED', filledQuantity: 90 })];
    expect(await watcher.readOnce()).toBe(1);
    expect(await watcher.readOnce()).toBe(0);
    expect(delivered).toEqual(['1:COMPLETE', '2:COMPLETE', '2:CANCELLED']);
  });

  it('when the broker cannot be read, then it says so once, reads again at its interval, and says when it answers again', async () => {
    const logs: string[] = [];
    let reads = 0;
    const watcher = new OrderBookWatcher({
      readBook: async () => {
        reads++;
        if (reads <= 3) throw new Error('502 Bad Gateway');
        return [order('1')];
      },
      deliver: async () => undefined, known: savedOrders(), intervalMs: 10, log: (m) => logs.push(m),
    });
    watcher.start();
    for (let i = 0; i < 200 && reads < 5; i++) await new Promise((r) => setTimeout(r, 10));
    await watcher.stop();
    expect(reads).toBeGreaterThanOrEqual(5);
    expect(logs).toEqual([expect.stringContaining('502 Bad Gateway'), expect.stringContaining('answers again')]);
  });
});
