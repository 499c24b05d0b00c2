import { initialOrderState, type OrderState } from '../../src/domain/order-state';
import type { Fill } from '../../src/domain/order-types';
import { netFigures } from '../../src/domain/positions';
import { OrderStore } from '../../src/store/order-store';
import { accountBook, PositionStore } from '../../src/store/position-store';
import type { Db } from '../../src/store/prisma';
import { RiskStore } from '../../src/store/risk-store';
import { useTestPrisma } from '../support/prisma';
import { limitBuy, ZERODHA } from '../domain/fixtures';
const ACCOUNT_BOOK = accountBook('default');

let prisma: Db;
let orders: OrderStore;
let positions: PositionStore;
let n = 0;

useTestPrisma((p) => { prisma = p; orders = new OrderStore(p, ZERODHA); positions = new PositionStore(p); });

const NOW = Date.parse('2026-11-24T05:00:00.000Z'); // 10:30 IST
const newSymbol = () => `BANKNIFTY26DEC${52000 + ++n * 100}CE`;

function order(symbol: string, side: 'BUY' | 'SELL', quantity: number, strategyId = 's1'): OrderState {
  const k = ++n;
  return initialOrderState({ orderId: `order-ps-${k}`, tag: `ps${k}`, payloadHash: 'h', request: limitBuy({ clientOrderId: `ps-${k}`, tradingsymbol: symbol, side, quantity, strategyId }), at: new Date(NOW).toISOString() });
}
const filled = (s: OrderState, fills: Array<[number, number]>): OrderState => ({
  ...s, status: 'FILLED', brokerOrderId: `B-${s.orderId}`,
  fills: fills.map(([quantity, pricePaise], i): Fill => ({ tradeId: `T-${s.orderId}-${i}`, quantity, pricePaise, executedAt: new Date(NOW + i).toISOString() })),
});
const book = (strategyId: string, tradingsymbol: string) => positions.getPosition({ strategyId, tradingsymbol, exchange: 'NFO', product: 'NRML' });

describe('positions kept from fills in the trade\'s transaction', () => {
  it('when the same fill is saved twice, then the position changes once', async () => {
    const symbol = newSymbol();
    const buy = filled(order(symbol, 'BUY', 30), [[30, 10_000]]);
    await orders.saveProgress(buy, []);
    await orders.saveProgress(buy, []);
    await orders.saveProgress({ ...buy, status: 'FILLED', updatedAt: new Date(NOW + 5).toISOString() }, []);
    expect(netFigures((await book('s1', symbol))!, null)).toMatchObject({ quantity: 30, costPrice: '100.0000', charges: '24.93' });
    expect(netFigures((await book(ACCOUNT_BOOK, symbol))!, null)).toMatchObject({ quantity: 30, buyQuantity: 30 });
    expect(await prisma.trade.count({ where: { orderId: buy.orderId } })).toBe(1);
  });

  it('when an order fills over two saves, then each trade stores its share of the order\'s charges and they add up to the whole order', async () => {
    const symbol = newSymbol();
    const sell = order(symbol, 'SELL', 30);
    const all = filled(sell, [[10, 12_050], [20, 12_050]]);
    await orders.saveProgress({ ...all, status: 'PARTIALLY_FILLED', fills: all.fills.slice(0, 1) }, []);
    await orders.saveProgress(all, []);
    const trades = await prisma.trade.findMany({ where: { orderId: sell.orderId }, orderBy: { executedAt: 'asc' } });
    // the whole order: 30 x 120.50 = 3,615.00 -> brokerage 20, STT 5.42, txn 1.27, GST 3.83 = 30.52 (test/domain/charges.test.ts)
    // after 10 (1,205.00): 20 + STT 1.81 (1.8075) + txn 0.42 (0.4221) + GST 0.18 x 20.42 = 3.68 -> 25.91; the rest 4.61
    expect(trades.map((t) => [t.quantity, t.brokerage.toFixed(2), t.stt.toFixed(2), t.totalCharges.toFixed(2), t.strategyId, t.product])).toEqual([
      [10, '20.00', '1.81', '25.91', 's1', 'NRML'],
      [20, '0.00', '3.61', '4.61', 's1', 'NRML'],
    ]);
    expect(netFigures((await book('s1', symbol))!, 12_050)).toMatchObject({ quantity: -30, charges: '30.52', unrealizedPnl: '0.00', netPnl: '-30.52' });
  });

  it('when two strategies trade the same contract, then each keeps its own book and the account book nets them in recorded order', async () => {
    const symbol = newSymbol();
    await orders.saveProgress(filled(order(symbol, 'BUY', 60, 's1'), [[60, 10_000]]), []);
    await orders.saveProgress(filled(order(symbol, 'SELL', 90, 's2'), [[90, 11_000]]), []);
    expect(netFigures((await book('s1', symbol))!, null)).toMatchObject({ quantity: 60, realizedPnl: '0.00' });
    expect(netFigures((await book('s2', symbol))!, null)).toMatchObject({ quantity: -90, realizedPnl: '0.00' });
    // the account sold 60 of its long at 110 (+600.00) and is short 30 opened at 110
    expect(netFigures((await book(ACCOUNT_BOOK, symbol))!, null)).toMatchObject({ quantity: -30, costPrice: '110.0000', realizedPnl: '600.00' });
    const listed = await positions.listPositions({ strategyIds: ['s2'], tradingsymbol: symbol });
    expect(listed.map((p) => [p.strategyId, p.book.quantity])).toEqual([['s2', -90]]);
  });

  it('when orders in one contract save their fills at the same time, then no fill is lost from the account book', async () => {
    const symbol = newSymbol();
    const states = Array.from({ length: 8 }, (_, i) => filled(order(symbol, i % 2 ? 'SELL' : 'BUY', 30, `c${i % 3}`), [[30, 10_000 + i * 5]]));
    await Promise.all(states.map((s) => orders.saveProgress(s, [])));
    const account = (await book(ACCOUNT_BOOK, symbol))!;
    expect({ buys: account.buyQuantity, sells: account.sellQuantity, quantity: account.quantity }).toEqual({ buys: 120, sells: 120, quantity: 0 });
  });

  it('when a split order\'s parent saves its slices\' fills, then the parent writes no trades and moves no position', async () => {
    const symbol = newSymbol();
    const parent = filled(order(symbol, 'BUY', 60), [[60, 10_000]]);
    await orders.saveProgress({ ...parent, slices: [{ orderId: `${parent.orderId}-s1` } as never] }, []);
    expect(await prisma.trade.count({ where: { orderId: parent.orderId } })).toBe(0);
    expect(await book('s1', symbol)).toBeNull();
  });

  it('when fills are saved, then the risk gate\'s daily P&L subtracts their charges', async () => {
    const symbol = newSymbol();
    const risk = new RiskStore(prisma);
    const account = `acct-ps-${n}`;
    const buy = order(symbol, 'BUY', 30);
    const pass = { report: { passed: true, checks: [], flags: [], configVersion: 'v' }, passed: true, referencePricePaise: 10_000, reservedMarginPaise: 0 };
    await risk.admit({ account, state: buy, underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: new Map(), decide: () => pass });
    // The gate reads the account book, which the earlier tests' fills (today, unpriced here) are in too: compare the change.
    const daySeen = async () => {
      let day: { grossPnlPaise: number; chargesPaise: number } | undefined;
      await risk.admit({ account, state: order(symbol, 'BUY', 30), underlying: 'BANKNIFTY', nowMs: NOW, lastPrices: new Map([[`NFO:${symbol}`, 10_100]]), decide: (s) => { day = s.day; return { ...pass, passed: false }; } });
      return day!;
    };
    const before = await daySeen();
    await orders.saveProgress(filled(buy, [[30, 10_000]]), []);
    const after = await daySeen();
    // bought 30 at 100.00, marked at 101.00: +30.00 gross; charges 24.93 (the worked buy example)
    expect({ gross: after.grossPnlPaise - before.grossPnlPaise, charges: after.chargesPaise - before.chargesPaise }).toEqual({ gross: 3_000, charges: 2_493 });
  });
});
