import { planHaltSweep } from '../../src/domain/halt-protection';
import type { Side } from '../../src/domain/order-types';
import { cancelOpenOrders, type CancelDeps, type LiveOrder } from '../../src/services/order-cancellation';

/** The cancel sweep with its order workflows faked: each cancel's own deadline, and the orders a halt keeps. */
const SYM = 'BANKNIFTY26DEC52000CE';
const live = (id: string, o: Partial<LiveOrder> = {}): LiveOrder => ({
  id, clientOrderId: id.replace(/^order-/, ''), strategyId: 's1', tradingsymbol: SYM, exchange: 'NFO', product: 'NRML', side: 'BUY' as Side,
  quantity: 30, filledQuantity: 0, status: 'OPEN', brokerOrderId: `b-${id}`, parentId: null, legRole: null, ...o,
});

function deps(rows: LiveOrder[], answer: (orderId: string) => Promise<{ status: string }>, cancelTimeoutMs = 200) {
  const asked: string[] = [];
  const d: CancelDeps = {
    store: { listLiveOrders: async () => rows },
    orders: { cancelOrder: (orderId) => { asked.push(orderId); return answer(orderId); } },
    cancelTimeoutMs,
  };
  return { d, asked };
}

describe('cancelOpenOrders', () => {
  it('when one order\'s workflow never answers, then the sweep still finishes, reports that order timed_out and the others cancelled', async () => {
    const rows = [live('order-a'), live('order-stuck'), live('order-c')];
    const { d } = deps(rows, (id) => (id === 'order-stuck' ? new Promise(() => undefined) : Promise.resolve({ status: 'CANCELLED' })));
    const r = await cancelOpenOrders(d, {}, 'test sweep');
    expect(r.results.map((x) => [x.orderId, x.outcome, x.error?.code])).toEqual([
      ['order-a', 'cancelled', undefined], ['order-stuck', 'timed_out', 'CANCEL_TIMED_OUT'], ['order-c', 'cancelled', undefined],
    ]);
    expect(r.asked).toBe(3);
  });

  it('when every cancel hangs, then each is reported timed_out after its own deadline rather than one after another', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => live(`order-${i}`));
    const { d } = deps(rows, () => new Promise(() => undefined), 300);
    const started = Date.now();
    const r = await cancelOpenOrders(d, {}, 'test sweep');
    expect(r.results.every((x) => x.outcome === 'timed_out')).toBe(true);
    expect(Date.now() - started).toBeLessThan(8 * 300);
  });

  it('when a cancel that timed out fails later, then nothing is left unhandled and the report stands', async () => {
    const { d } = deps([live('order-late')], () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 300)), 50);
    const r = await cancelOpenOrders(d, {}, 'test sweep');
    await new Promise((res) => setTimeout(res, 400));
    expect(r.results.map((x) => x.outcome)).toEqual(['timed_out']);
  });

  it('when a halt decides which orders protect a position, then those are never asked to cancel, are reported kept with why, and the rest carry their reason', async () => {
    const rows = [
      live('order-entry'),
      live('order-g-target', { side: 'SELL', parentId: 'group-g', legRole: 'target' }),
      live('order-g-stop', { side: 'SELL', parentId: 'group-g', legRole: 'stop', status: 'OPEN' }),
    ];
    const { d, asked } = deps(rows, async () => ({ status: 'CANCELLED' }));
    const books = [{ strategyId: 's1', exchange: 'NFO', tradingsymbol: SYM, product: 'NRML', quantity: 30 }];
    const r = await cancelOpenOrders(d, {}, 'kill switch', {
      decide: async (orders) => planHaltSweep(orders.map((o) => ({ ...o, orderId: o.id, side: o.side as Side })), books, { flattening: false }),
    });
    expect(asked).toEqual(['order-entry']);
    expect(r.results.map((x) => [x.orderId, x.outcome, x.haltReason])).toEqual([['order-entry', 'cancelled', 'NOT_PROTECTIVE']]);
    expect(r.kept.map((k) => [k.orderId, k.legRole, k.reason])).toEqual([['order-g-target', 'target', 'GROUP_EXIT'], ['order-g-stop', 'stop', 'GROUP_EXIT']]);
    expect(r.kept[0].message).toContain('sells at most 30 of the long 30');
  });
});
