import {
  addDayPnl, applyFill, applyNewFills, dayFigures, dayPnl, EMPTY_BOOK, istTradingDay, netFigures, rupeesToPaise, type PositionBook, type PositionFill,
} from '../../src/domain/positions';

const DAY1 = '2026-11-23';
const DAY2 = '2026-11-24';
let seq = 0;
/** "B 30 @ 100.00" -> a fill on DAY2 (or the given day) with no charges. */
function fill(text: string, tradingDay = DAY2, chargesPaise = 0n): PositionFill {
  const [side, qty, , price] = text.split(' ');
  return { tradeId: `T${++seq}`, side: side === 'B' ? 'BUY' : 'SELL', quantity: Number(qty), pricePaise: Number(rupeesToPaise(price)), chargesPaise, tradingDay };
}
const replay = (fills: PositionFill[], book: PositionBook = EMPTY_BOOK) => fills.reduce((b, f) => applyFill(b, f).book, book);

describe('position accounting: quantity, cost, realized P&L', () => {
  it.each([
    { case: 'add: two buys', fills: ['B 30 @ 100.00', 'B 30 @ 110.00'], quantity: 60, costPrice: '105.0000', averagePrice: '105.0000', realized: '0.00' },
    { case: 'reduce: a long partly sold', fills: ['B 60 @ 100.00', 'S 30 @ 120.00'], quantity: 30, costPrice: '100.0000', averagePrice: '100.0000', realized: '600.00' },
    { case: 'close: a long sold at a loss', fills: ['B 30 @ 100.00', 'S 30 @ 90.00'], quantity: 0, costPrice: null, averagePrice: null, realized: '-300.00' },
    // 30 x 20 + 30 x 10 realized; the 30 left short opened at 110. Kite averages all of the day's sells: (3600 + 6600) / 90.
    { case: 'reverse: long 60 -> short 30 through zero', fills: ['B 60 @ 100.00', 'S 30 @ 120.00', 'S 60 @ 110.00'], quantity: -30, costPrice: '110.0000', averagePrice: '113.3333', realized: '900.00' },
    { case: 'short cover: sold 60, bought back 30', fills: ['S 60 @ 50.00', 'B 30 @ 45.00'], quantity: -30, costPrice: '50.0000', averagePrice: '50.0000', realized: '150.00' },
    { case: 'short covered completely at a loss', fills: ['S 30 @ 50.00', 'B 30 @ 52.50'], quantity: 0, costPrice: null, averagePrice: null, realized: '-75.00' },
    { case: 'short reversed to long', fills: ['S 30 @ 50.00', 'B 60 @ 40.00'], quantity: 30, costPrice: '40.0000', averagePrice: '40.0000', realized: '300.00' },
    // Cost 300.02 for 3 (100.006667); selling 1 takes round(300.02 / 3) = 100.01 of it, the last 2 take the remaining
    // 200.01: the round trip realizes exactly its cash, 300.00 - 300.02.
    { case: 'odd cost shares: a round trip realizes its exact cash', fills: ['B 1 @ 100.00', 'B 2 @ 100.01', 'S 1 @ 100.00', 'S 2 @ 100.00'], quantity: 0, costPrice: null, averagePrice: null, realized: '-0.02' },
  ])('when $case, then quantity, cost and realized P&L follow', ({ fills, quantity, costPrice, averagePrice, realized }) => {
    const net = netFigures(replay(fills.map((f) => fill(f))), null);
    expect(net).toMatchObject({ quantity, costPrice, averagePrice, realizedPnl: realized });
  });

  it.each([
    { fills: ['B 60 @ 100.00', 'S 30 @ 120.00'], realized: [0n, 60_000n] },
    { fills: ['B 60 @ 100.00', 'S 90 @ 110.00', 'B 30 @ 100.00'], realized: [0n, 60_000n, 30_000n] },
  ])('when fills $fills arrive, then each reducing fill reports what it realized', ({ fills, realized }) => {
    let book = EMPTY_BOOK;
    const seen = fills.map((f) => {
      const r = applyFill(book, fill(f));
      book = r.book;
      return r.realizedPaise;
    });
    expect(seen).toEqual(realized);
  });

  it('when the last price is known, then unrealized is the open quantity against its cost and net P&L subtracts charges', () => {
    const book = replay([fill('B 60 @ 100.00', DAY2, 2_493n), fill('S 30 @ 120.00', DAY2, 3_052n)]);
    // realized 600.00; unrealized 30 x (105 - 100) = 150.00; charges 24.93 + 30.52 = 55.45; net 694.55
    expect(netFigures(book, 10_500)).toMatchObject({ lastPrice: '105.00', realizedPnl: '600.00', unrealizedPnl: '150.00', charges: '55.45', netPnl: '694.55' });
    const short = replay([fill('S 30 @ 50.00')]);
    expect(netFigures(short, 4_000)).toMatchObject({ unrealizedPnl: '300.00', netPnl: '300.00' });
    expect(netFigures(short, null)).toMatchObject({ unrealizedPnl: null, netPnl: null });
  });

  it('when the same fills are replayed, then the book does not change', () => {
    const fills = ['B 60 @ 100.00', 'S 30 @ 120.00', 'S 60 @ 110.00'].map((f) => fill(f));
    const once = applyNewFills(EMPTY_BOOK, fills, new Set());
    expect(applyNewFills(once, fills, new Set(fills.map((f) => f.tradeId)))).toEqual(once);
    expect(applyNewFills(EMPTY_BOOK, [...fills, ...fills], new Set())).toEqual(once);
  });
});

describe('day and net positions as Kite reports them', () => {
  it('when a long is carried overnight and partly sold today, then day shows only today\'s sell and net the carry', () => {
    const book = replay([fill('B 60 @ 100.00', DAY1), fill('S 30 @ 110.00', DAY2)]);
    expect(netFigures(book, 11_000)).toMatchObject({ quantity: 30, averagePrice: '100.0000', costPrice: '100.0000', realizedPnl: '300.00', unrealizedPnl: '300.00' });
    expect(dayFigures(book, DAY2, 11_000)).toMatchObject({ quantity: -30, averagePrice: '110.0000', buyQuantity: 0, sellQuantity: 30, realizedPnl: '300.00' });
    expect(book).toMatchObject({ tradingDay: DAY2, overnightQuantity: 60 });
  });

  it('when nothing traded today, then the day position is flat and the net one unchanged', () => {
    const book = replay([fill('B 30 @ 100.00', DAY1)]);
    expect(dayFigures(book, DAY2, 10_000)).toMatchObject({ quantity: 0, buyQuantity: 0, realizedPnl: '0.00', unrealizedPnl: '0.00', charges: '0.00' });
    expect(netFigures(book, 10_000)).toMatchObject({ quantity: 30, averagePrice: '100.0000' });
  });

  it('when a fill of an earlier day is recorded late, then it changes the carry and net, not today', () => {
    const book = replay([fill('B 30 @ 100.00', DAY2), fill('B 30 @ 90.00', DAY1)]);
    expect(book).toMatchObject({ tradingDay: DAY2, overnightQuantity: 30, dayBuyQuantity: 30, quantity: 60 });
    expect(netFigures(book, null)).toMatchObject({ costPrice: '95.0000', averagePrice: '95.0000' });
    expect(dayFigures(book, DAY2, null)).toMatchObject({ quantity: 30, averagePrice: '100.0000' });
  });

  it.each([
    { at: '2026-11-23T18:29:59.999Z', day: '2026-11-23' },
    { at: '2026-11-23T18:30:00.000Z', day: '2026-11-24' }, // midnight IST
    { at: '2026-11-24T03:45:00.000Z', day: '2026-11-24' }, // 09:15 IST
  ])('when a trade executes at $at, then its trading day is $day (IST)', ({ at, day }) => {
    expect(istTradingDay(Date.parse(at))).toBe(day);
  });
});

describe('today\'s P&L of a book (the one figure /pnl, the gate\'s daily loss and the kill switch share)', () => {
  it('when a long was partly sold today, then net is today\'s realized plus the rest marked to the last price minus today\'s charges', () => {
    const book = replay([fill('B 60 @ 100.00', DAY2, 2_000n), fill('S 30 @ 120.00', DAY2, 3_000n)]);
    // realized 30 x 20 = 600.00; open 30 at 100 marked at 110: 300.00; charges 50.00
    expect(dayPnl(book, DAY2, 11_000)).toEqual({ realizedPaise: 60_000n, unrealizedPaise: 30_000n, chargesPaise: 5_000n, netPaise: 85_000n, unpriced: false });
  });

  it('when the book traded on an earlier day, then only the open quantity\'s mark counts today (its cost includes the carry)', () => {
    const book = replay([fill('B 30 @ 100.00', DAY1, 2_000n), fill('S 10 @ 90.00', DAY1)]);
    expect(dayPnl(book, DAY2, 9_500)).toEqual({ realizedPaise: 0n, unrealizedPaise: -10_000n, chargesPaise: 0n, netPaise: -10_000n, unpriced: false });
  });

  it('when an open book has no price, then it counts no unrealized P&L and is flagged; a flat one needs no price', () => {
    const open = replay([fill('B 30 @ 100.00', DAY2, 2_000n)]);
    expect(dayPnl(open, DAY2, null)).toEqual({ realizedPaise: 0n, unrealizedPaise: 0n, chargesPaise: 2_000n, netPaise: -2_000n, unpriced: true });
    const flat = replay([fill('S 30 @ 50.00'), fill('B 30 @ 52.50')]);
    expect(dayPnl(flat, DAY2, null)).toMatchObject({ netPaise: -7_500n, unpriced: false });
  });

  it('when books are added up, then each part and the unpriced flag add up', () => {
    const a = dayPnl(replay([fill('B 30 @ 100.00')]), DAY2, 10_100);
    const b = dayPnl(replay([fill('S 30 @ 50.00')]), DAY2, null);
    expect(addDayPnl([a, b])).toEqual({ realizedPaise: 0n, unrealizedPaise: 3_000n, chargesPaise: 0n, netPaise: 3_000n, unpriced: true });
    expect(addDayPnl([])).toMatchObject({ netPaise: 0n, unpriced: false });
  });
});
