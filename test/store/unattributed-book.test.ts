import { initialOrderState } from '../../src/domain/order-state';
import { rupeesToPaise } from '../../src/domain/positions';
import { DEFAULT_POLICIES, classifyPositions, markPositionFindings, type NetPosition } from '../../src/domain/reconciliation';
import { PositionService } from '../../src/services/position-service';
import { OrderStore } from '../../src/store/order-store';
import { accountBook, PositionStore, unattributedBook } from '../../src/store/position-store';
import type { Db } from '../../src/store/prisma';
import { ReconciliationStore } from '../../src/store/reconciliation-store';
import { RiskStore } from '../../src/store/risk-store';
import { useTestPrisma } from '../support/prisma';
import { limitBuy, ZERODHA } from '../domain/fixtures';
const ACCOUNT_BOOK = accountBook('default');
const UNATTRIBUTED_BOOK = unattributedBook('default');

let prisma: Db;
let orders: OrderStore;
let positions: PositionStore;
let n = 0;

useTestPrisma((p) => { prisma = p; orders = new OrderStore(p, ZERODHA); positions = new PositionStore(p); });

const NOW = Date.parse('2026-11-24T05:00:00.000Z'); // 10:30 IST
const newSymbol = () => `BANKNIFTY26DEC${50000 + ++n * 100}CE`;
const key = (symbol: string) => `NFO:${symbol}`;

/** A filled OMS buy by `strategyId`, recorded as the workflow records it (trade row, strategy book, account book). */
async function bought(strategyId: string, symbol: string, quantity: number, pricePaise: number): Promise<void> {
  const k = ++n;
  const s = initialOrderState({ orderId: `order-ub-${k}`, tag: `omsub${k}`, payloadHash: 'h', request: limitBuy({ clientOrderId: `ub-${k}`, strategyId, tradingsymbol: symbol, quantity, pricePaise }), at: new Date(NOW).toISOString() });
  await orders.saveProgress({ ...s, status: 'FILLED', brokerOrderId: `B-${k}`, fills: [{ tradeId: `T-${k}`, quantity, pricePaise, executedAt: new Date(NOW).toISOString() }] }, []);
}

/** One reconciliation run of these broker positions against the account book, marked with these quotes. */
async function reconcile(broker: NetPosition[], quotes: Map<string, number>) {
  const account = (await positions.listPositions({ strategyIds: [ACCOUNT_BOOK] })).map((p) => ({ tradingsymbol: p.tradingsymbol, exchange: p.exchange, product: p.product, quantity: p.book.quantity }));
  const findings = markPositionFindings(classifyPositions(broker, account, DEFAULT_POLICIES), quotes);
  const runId = `reconciliation-ub-${++n}`;
  const applied = await new ReconciliationStore(prisma).applyRun({ runId, startedAt: new Date(NOW).toISOString(), counts: { brokerPositions: 0, internalPositions: 0, brokerOrders: 0 }, findings }, NOW);
  return { applied, log: await prisma.reconciliationLog.findMany({ where: { runId }, orderBy: { key: 'asc' } }) };
}

const service = (prices: Map<string, number>) => new PositionService({ positions, lastPrices: async (keys) => new Map(keys.filter((k) => prices.has(k)).map((k) => [k, prices.get(k)!])), now: () => NOW });

/** The daily figures the gate sees (net = gross - charges), in paise. */
async function gateNet(prices: Map<string, number>): Promise<bigint> {
  let net: bigint | undefined;
  const probe = initialOrderState({ orderId: `order-ub-probe-${++n}`, tag: `omsubp${n}`, payloadHash: 'h', request: limitBuy({ clientOrderId: `ub-probe-${n}` }), at: new Date(NOW).toISOString() });
  await new RiskStore(prisma).admit({
    account: 'default', state: probe, underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: prices,
    decide: (s) => { net = BigInt(s.day.grossPnlPaise - s.day.chargesPaise); return { report: { passed: false, checks: [], flags: [], configVersion: 'v' }, passed: false, referencePricePaise: null, reservedMarginPaise: 0 }; },
  });
  return net!;
}

/** Per contract: the strategy books' quantities (the unattributed one included) add up to the account book's. */
async function strategyBooksAddUp(): Promise<void> {
  const all = await positions.listPositions();
  const sums = new Map<string, { account: number; strategies: number }>();
  for (const p of all) {
    const k = `${p.exchange}:${p.tradingsymbol}:${p.product}`;
    const s = sums.get(k) ?? { account: 0, strategies: 0 };
    if (p.strategyId === ACCOUNT_BOOK) s.account += p.book.quantity;
    else s.strategies += p.book.quantity;
    sums.set(k, s);
  }
  for (const [k, s] of sums) expect({ k, quantity: s.strategies }).toEqual({ k, quantity: s.account });
}

describe('one truth of positions: a reconciliation correction and the unattributed book', () => {
  it('when the broker no longer holds a strategy\'s long, then the account book sells it at the quote, the difference sits in the unattributed book, and /pnl, the gate and the per-symbol sum agree', async () => {
    const symbol = newSymbol();
    await bought('alpha', symbol, 300, 10_000); // 300 x 100.00, with Zerodha's charges
    const at91 = new Map([[key(symbol), 9_100]]);
    const before = await service(at91).pnl({});
    expect(rupeesToPaise(before.total.net)).toBe(await gateNet(at91));

    const { applied, log } = await reconcile([], at91); // the broker holds nothing: a phantom
    expect(applied).toMatchObject({ corrections: 1 });
    expect(log[0]).toMatchObject({
      kind: 'PHANTOM_POSITION', resolution: 'CORRECTED',
      detail: { adjustment: { side: 'SELL', quantity: 300, price: '91.00', priceSource: 'quote' }, quantityBefore: 300, quantityAfter: 0, unattributedQuantityAfter: -300 },
    });
    const book = (strategyId: string) => positions.getPosition({ strategyId, tradingsymbol: symbol, exchange: 'NFO', product: 'NRML' });
    expect([(await book(ACCOUNT_BOOK))?.quantity, (await book('alpha'))?.quantity, (await book(UNATTRIBUTED_BOOK))?.quantity]).toEqual([0, 300, -300]);
    await strategyBooksAddUp();

    // At the price it was made at, the correction moves no money: the account's loss is realized, not erased.
    const after = await service(at91).pnl({});
    expect(after.total.net).toBe(before.total.net);
    expect(rupeesToPaise(after.total.net)).toBe(await gateNet(at91));
    const mine = await service(at91).pnl({ tradingsymbol: symbol });
    expect(mine.total).toMatchObject({ realized: '-2700.00', unrealized: '0.00' });
    expect(mine.byStrategy).toEqual(expect.arrayContaining([
      expect.objectContaining({ strategyId: 'alpha', unrealized: '-2700.00' }),
      expect.objectContaining({ strategyId: UNATTRIBUTED_BOOK, unattributed: true, realized: '0.00', unrealized: '0.00', net: '0.00' }),
    ]));

    // As the price moves on, the strategy and the unattributed book together still make the account's figure.
    for (const ltp of [9_500, 8_000]) {
      const prices = new Map([[key(symbol), ltp]]);
      const p = await service(prices).pnl({ tradingsymbol: symbol });
      expect(p.byStrategy.reduce((s, x) => s + rupeesToPaise(x.net), 0n)).toBe(rupeesToPaise(p.total.net));
      expect(rupeesToPaise((await service(prices).pnl({})).total.net)).toBe(await gateNet(prices));
    }
  });

  it('when the broker holds a position the OMS never traded, then the account and unattributed books open it at the broker\'s last price and the gate sees it', async () => {
    const symbol = newSymbol();
    const quotes = new Map([[key(symbol), 10_400]]);
    const { log } = await reconcile([{ tradingsymbol: symbol, exchange: 'NFO', product: 'NRML', quantity: 30, averagePricePaise: 10_025, lastPricePaise: 10_500 }], quotes);
    const mine = log.find((l) => l.tradingsymbol === symbol);
    expect(mine).toMatchObject({ kind: 'UNKNOWN_POSITION', detail: { adjustment: { side: 'BUY', quantity: 30, price: '105.00', priceSource: 'broker-position' } } });
    await strategyBooksAddUp();

    const view = await service(quotes).positions({ tradingsymbol: symbol });
    expect(view.account?.net).toEqual([expect.objectContaining({ quantity: 30, costPrice: '105.0000' })]);
    expect(view.strategies).toEqual([expect.objectContaining({ strategyId: UNATTRIBUTED_BOOK, unattributed: true, net: [expect.objectContaining({ quantity: 30, unrealizedPnl: '-30.00' })] })]);
    // The gate's exposure and reduce-only judgement see what the broker holds.
    let held: unknown;
    const probe = initialOrderState({ orderId: `order-ub-probe-${++n}`, tag: `omsubp${n}`, payloadHash: 'h', request: limitBuy({ clientOrderId: `ub-probe-${n}`, tradingsymbol: symbol }), at: new Date(NOW).toISOString() });
    await new RiskStore(prisma).admit({
      account: 'default', state: probe, underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: quotes,
      decide: (s) => { held = s.positions.find((p) => p.tradingsymbol === symbol); return { report: { passed: false, checks: [], flags: [], configVersion: 'v' }, passed: false, referencePricePaise: null, reservedMarginPaise: 0 }; },
    });
    expect(held).toMatchObject({ tradingsymbol: symbol, netQuantity: 30, lastPricePaise: 10_400 });
  });

  it('a strategy key\'s scope never includes the unattributed book', async () => {
    const p = await service(new Map()).positions({ strategyIds: ['alpha'] });
    expect(p.strategies.map((s) => s.strategyId)).toEqual(['alpha']);
    expect(p).not.toHaveProperty('account');
  });
});
