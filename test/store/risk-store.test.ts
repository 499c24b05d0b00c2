import { initialOrderState, type OrderState } from '../../src/domain/order-state';
import type { ValidationReport } from '../../src/domain/order-validation';
import type { AccountSnapshot } from '../../src/domain/risk/risk-types';
import { OrderStore } from '../../src/store/order-store';
import type { Db } from '../../src/store/prisma';
import { istDayStart, RiskStore, type GateDecision } from '../../src/store/risk-store';
import { useTestPrisma } from '../support/prisma';
import { limitBuy } from '../domain/fixtures';

let prisma: Db;
let orders: OrderStore;
let risk: RiskStore;
let n = 0;

useTestPrisma((p) => { prisma = p; orders = new OrderStore(p); risk = new RiskStore(p); });

const NOW = Date.parse('2026-11-24T05:00:00.000Z'); // 10:30 IST
const SYMBOL = 'BANKNIFTY26DEC52000CE';

function newOrder(overrides: Parameters<typeof limitBuy>[0] = {}): OrderState {
  const id = `order-rs-${++n}`;
  return initialOrderState({ orderId: id, tag: `tag${n}`, payloadHash: 'h', request: limitBuy({ clientOrderId: `rs-${n}`, tradingsymbol: SYMBOL, ...overrides }), at: new Date(NOW).toISOString() });
}
const report = (passed: boolean): ValidationReport => ({ passed, checks: [{ check: 'x', passed }], flags: [], configVersion: 'v1' });
const decision = (passed: boolean, refPaise = 10_000, marginPaise = 300_000): GateDecision => ({ report: report(passed), passed, referencePricePaise: refPaise, reservedMarginPaise: marginPaise });

/** Admits one order and returns the book the gate saw for it. */
async function admitSeeing(state: OrderState, passed = true, lastPrices = new Map<string, number>()): Promise<AccountSnapshot> {
  let seen: AccountSnapshot | undefined;
  await risk.admit({ account: 'acct', state, underlying: 'BANKNIFTY', nowMs: NOW, lastPrices, decide: (s) => { seen = s; return decision(passed); } });
  return seen!;
}

describe('the risk store: the gate\'s book and reservations in Postgres', () => {
  it('when an order passes, then its reservation is written with the reference price and margin; a retry returns the same decision without deciding again', async () => {
    const state = newOrder();
    await admitSeeing(state);
    const row = await prisma.order.findUniqueOrThrow({ where: { id: state.orderId } });
    expect(row).toMatchObject({ status: 'PENDING', riskPassed: true, riskAccount: 'acct', underlying: 'BANKNIFTY' });
    expect(row.referencePrice?.toFixed(2)).toBe('100.00');
    expect(row.reservedMargin?.toFixed(2)).toBe('3000.00');
    let decided = false;
    const again = await risk.admit({ account: 'acct', state, underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: new Map(), decide: () => { decided = true; return decision(false); } });
    expect(decided).toBe(false);
    expect(again).toEqual(report(true));
    expect(await risk.existingDecision(state.orderId)).toEqual(report(true));
  });

  it('when an order fails, then nothing is reserved for it', async () => {
    const state = newOrder();
    await admitSeeing(state, false);
    // The full report is written (the workflow carries a compact one), but no reservation: it holds no headroom.
    const row = await prisma.order.findUnique({ where: { id: state.orderId } });
    expect(row).toMatchObject({ status: 'REJECTED', riskPassed: false, riskAccount: null, reservedMargin: null, validationResult: { passed: false } });
    expect(await risk.existingDecision(state.orderId)).toBeNull();
  });

  it('when orders are live, partly filled and finished, then the next order sees positions from fills, the unfilled remainders, and margin reserved only before the broker shows them working', async () => {
    const fresh = new RiskStore(prisma);
    const account = `acct-book-${n}`;
    const admit = async (s: OrderState) => fresh.admit({ account, state: s, underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: new Map(), decide: () => decision(true) });
    const pending = newOrder();
    await admit(pending);
    const partly = newOrder({ quantity: 90 });
    await admit(partly);
    await orders.saveProgress({
      ...partly, status: 'PARTIALLY_FILLED', brokerOrderId: `B-${n}`, filledQuantity: 30, averagePrice: '100.0000',
      fills: [{ tradeId: `T-${n}`, quantity: 30, pricePaise: 10_000, executedAt: new Date(NOW).toISOString() }],
    }, []);
    const done = newOrder();
    await admit(done);
    await orders.saveProgress({ ...done, status: 'CANCELLED' }, []);

    let seen: AccountSnapshot | undefined;
    await fresh.admit({
      account, state: newOrder(), underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: new Map([[`NFO:${SYMBOL}`, 9_000]]),
      decide: (s) => { seen = s; return decision(false); },
    });
    expect(seen!.positions).toEqual([{ tradingsymbol: SYMBOL, exchange: 'NFO', underlying: 'BANKNIFTY', netQuantity: 30, lastPricePaise: 9_000 }]);
    expect(seen!.pending.map((p) => [p.orderId, p.remainingQuantity, p.reservedMarginPaise]).sort()).toEqual([
      [partly.orderId, 60, 0], // at the broker and working: the broker blocks its margin itself
      [pending.orderId, 90, 300_000],
    ].sort());
    expect(seen!.day.orderCount).toBe(3); // the cancelled one passed the gate today too
    // traded 30 x 100.00 plus the unfilled remainders valued at their reference price: (60 + 90) x 100.00
    expect(seen!.day.turnoverPaise).toBe(30 * 10_000 + 150 * 10_000);
    // bought 30 at 100.00, now 90.00: a loss of Rs 300
    expect(seen!.day.grossPnlPaise).toBe(-30_000);
    expect(seen!.recent.quantities).toEqual([90, 90, 90]);
  });

  it('the IST trading day starts at 00:00 IST (18:30 UTC the day before)', () => {
    expect(istDayStart(NOW).toISOString()).toBe('2026-11-23T18:30:00.000Z');
    expect(istDayStart(Date.parse('2026-11-24T18:29:59.999Z')).toISOString()).toBe('2026-11-23T18:30:00.000Z');
    expect(istDayStart(Date.parse('2026-11-24T18:30:00.000Z')).toISOString()).toBe('2026-11-24T18:30:00.000Z');
  });
});
