import { initialOrderState, type OrderState } from '../../src/domain/order-state';
import { DEFAULT_POLICIES, classifyPositions, type Finding } from '../../src/domain/reconciliation';
import { OrderStore } from '../../src/store/order-store';
import { accountBook, PositionStore } from '../../src/store/position-store';
import type { Db } from '../../src/store/prisma';
import { ReconciliationStore } from '../../src/store/reconciliation-store';
import type { RunRecord } from '../../src/domain/reconciliation';
import { useTestPrisma } from '../support/prisma';
import { limitBuy } from '../domain/fixtures';
const ACCOUNT_BOOK = accountBook('default');

let prisma: Db;
let orders: OrderStore;
let positions: PositionStore;
let n = 0;

useTestPrisma((p) => { prisma = p; orders = new OrderStore(p); positions = new PositionStore(p); });

const NOW = Date.parse('2026-11-24T05:00:00.000Z'); // 10:30 IST
const newSymbol = () => `BANKNIFTY26DEC${60000 + ++n * 100}PE`;
const runId = () => `reconciliation-test-${++n}`;
const counts = { brokerPositions: 1, internalPositions: 1, brokerOrders: 0 };

/** A filled OMS buy of `quantity` at 100.00 in `symbol`: the account book holds it. */
async function holdLong(symbol: string, quantity: number): Promise<void> {
  const k = ++n;
  const s: OrderState = initialOrderState({ orderId: `order-rs-${k}`, tag: `omsrs${k}`, payloadHash: 'h', request: limitBuy({ clientOrderId: `rs-${k}`, tradingsymbol: symbol, quantity }), at: new Date(NOW).toISOString() });
  await orders.saveProgress({ ...s, status: 'FILLED', brokerOrderId: `B-${k}`, fills: [{ tradeId: `T-${k}`, quantity, pricePaise: 10_000, executedAt: new Date(NOW).toISOString() }] }, []);
}
const accountQty = async (symbol: string) => (await positions.getPosition({ strategyId: ACCOUNT_BOOK, tradingsymbol: symbol, exchange: 'NFO', product: 'NRML' }))?.quantity ?? 0;
const brokerAt = (symbol: string, quantity: number) => ({ tradingsymbol: symbol, exchange: 'NFO', product: 'NRML', quantity, averagePricePaise: 10_100 });
const internalAt = (symbol: string, quantity: number) => ({ tradingsymbol: symbol, exchange: 'NFO', product: 'NRML', quantity });

describe('a reconciliation run applied in one transaction', () => {
  it('when a run finds an unknown, a mismatched and a phantom position, then the account book takes the broker quantities and every finding is logged CORRECTED', async () => {
    const [unknown, mismatch, phantom] = [newSymbol(), newSymbol(), newSymbol()];
    await holdLong(mismatch, 30);
    await holdLong(phantom, 30);
    const findings = classifyPositions([brokerAt(unknown, 30), brokerAt(mismatch, 60)], [internalAt(mismatch, 30), internalAt(phantom, 30)], DEFAULT_POLICIES);
    const id = runId();
    const applied = await new ReconciliationStore(prisma).applyRun({ runId: id, startedAt: new Date(NOW).toISOString(), counts, findings }, NOW);
    expect(applied).toMatchObject({ alreadyApplied: false, findings: 3, corrections: 3, resolutions: { CORRECTED: 3 } });
    expect([await accountQty(unknown), await accountQty(mismatch), await accountQty(phantom)]).toEqual([30, 60, 0]);
    // the strategy's own book is not the broker's business: it keeps what the strategy traded
    expect((await positions.getPosition({ strategyId: 'strat-1', tradingsymbol: mismatch, exchange: 'NFO', product: 'NRML' }))?.quantity).toBe(30);
    const log = await prisma.reconciliationLog.findMany({ where: { runId: id }, orderBy: { kind: 'asc' } });
    expect(log.map((l) => [l.kind, l.tradingsymbol, l.policy, l.resolution, l.resolvedAt !== null])).toEqual([
      ['PHANTOM_POSITION', phantom, 'trust-broker', 'CORRECTED', true],
      ['QUANTITY_MISMATCH', mismatch, 'trust-broker', 'CORRECTED', true],
      ['UNKNOWN_POSITION', unknown, 'trust-broker', 'CORRECTED', true],
    ]);
    expect(log.find((l) => l.kind === 'QUANTITY_MISMATCH')).toMatchObject({
      broker: { quantity: 60, averagePricePaise: 10_100 }, internal: { quantity: 30 },
      detail: { adjustment: { id: `recon:${id}:NFO:${mismatch}:NRML`, side: 'BUY', quantity: 30, price: '101.00' }, quantityBefore: 30, quantityAfter: 60 },
    });
    expect(await prisma.reconciliationRun.findUnique({ where: { id } })).toMatchObject({ status: 'APPLIED', findings: 3, corrections: 3 });
  });

  it('when the apply fails after its first correction, then nothing of the run is kept, and the retry corrects everything exactly once', async () => {
    const [a, b] = [newSymbol(), newSymbol()];
    await holdLong(a, 30);
    await holdLong(b, 30);
    const run: RunRecord = { runId: runId(), startedAt: new Date(NOW).toISOString(), counts, findings: classifyPositions([brokerAt(a, 60), brokerAt(b, 90)], [internalAt(a, 30), internalAt(b, 30)], DEFAULT_POLICIES) };
    let failures = 1;
    const flaky = new ReconciliationStore(prisma, { afterCorrection: () => { if (failures-- > 0) throw new Error('injected: connection lost mid-apply'); } });
    await expect(flaky.applyRun(run, NOW)).rejects.toThrow('injected');
    expect([await accountQty(a), await accountQty(b)]).toEqual([30, 30]);
    expect(await prisma.reconciliationLog.count({ where: { runId: run.runId } })).toBe(0);
    expect(await prisma.reconciliationRun.count({ where: { id: run.runId } })).toBe(0);

    expect(await flaky.applyRun(run, NOW)).toMatchObject({ alreadyApplied: false, corrections: 2 });
    expect(await flaky.applyRun(run, NOW)).toMatchObject({ alreadyApplied: true, corrections: 2 });
    expect([await accountQty(a), await accountQty(b)]).toEqual([60, 90]);
    expect(await prisma.reconciliationLog.count({ where: { runId: run.runId } })).toBe(2);
  });

  it('when two runs saw the same gap, then only the first closes it and the second logs it STALE', async () => {
    const s = newSymbol();
    await holdLong(s, 30);
    const findings = classifyPositions([brokerAt(s, 60)], [internalAt(s, 30)], DEFAULT_POLICIES);
    const store = new ReconciliationStore(prisma);
    const [first, second] = await Promise.all([
      store.applyRun({ runId: runId(), startedAt: new Date(NOW).toISOString(), counts, findings }, NOW),
      store.applyRun({ runId: runId(), startedAt: new Date(NOW).toISOString(), counts, findings }, NOW),
    ]);
    expect([first.resolutions, second.resolutions].sort((x, y) => Object.keys(x)[0].localeCompare(Object.keys(y)[0]))).toEqual([{ CORRECTED: 1 }, { STALE: 1 }]);
    expect(await accountQty(s)).toBe(60);
  });

  it('when the policy is alert-only or the instrument has working orders, then the book is untouched and the finding stays open', async () => {
    const [alerted, deferred] = [newSymbol(), newSymbol()];
    const findings: Finding[] = [
      ...classifyPositions([brokerAt(alerted, 30)], [], { ...DEFAULT_POLICIES, UNKNOWN_POSITION: 'alert-only' }),
      ...classifyPositions([brokerAt(deferred, 30)], [], DEFAULT_POLICIES, new Set([`NFO:${deferred}:NRML`])),
    ];
    const store = new ReconciliationStore(prisma);
    const id = runId();
    await store.applyRun({ runId: id, startedAt: new Date(NOW + 60_000).toISOString(), counts, findings }, NOW + 60_000);
    expect([await accountQty(alerted), await accountQty(deferred)]).toEqual([0, 0]);
    const open = await store.openFindings();
    expect(open.map((f) => [f.runId, f.tradingsymbol, f.resolution])).toEqual(expect.arrayContaining([[id, alerted, 'ALERTED'], [id, deferred, 'DEFERRED']]));
    expect(open).toHaveLength(2);
  });
});
