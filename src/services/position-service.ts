import { dayFigures, istTradingDay, netFigures, paiseString, rupeesToPaise, type PositionFigures } from '../domain/positions';
import { ACCOUNT_BOOK, type PositionStore, type StoredPosition } from '../store/position-store';

export interface PositionServiceDeps {
  positions: Pick<PositionStore, 'listPositions'>;
  /** Last traded prices in paise by "EXCHANGE:SYMBOL"; a key without a quote is absent. May throw (no prices then). */
  lastPrices: (keys: string[]) => Promise<Map<string, number>>;
  now?: () => number;
  log?: (msg: string) => void;
}

/** Whose figures: every strategy and the account (operators), or only these strategies (a strategy key). */
export interface Scope { strategyIds?: readonly string[]; tradingsymbol?: string }

type Row = { tradingsymbol: string; exchange: string; product: string } & PositionFigures;
interface Totals { realized: string; unrealized: string; charges: string; net: string }

const key = (p: { exchange: string; tradingsymbol: string }) => `${p.exchange}:${p.tradingsymbol}`;

/** Positions and today's P&L from the position books, marked to the last price. */
export class PositionService {
  constructor(private readonly d: PositionServiceDeps) {}

  /** Net and day positions of the account (when in scope) and of each strategy. */
  async positions(scope: Scope) {
    const { today, books, prices } = await this.load(scope);
    const view = (list: StoredPosition[]) => ({
      net: list.filter((p) => p.book.quantity !== 0 || p.book.tradingDay === today).map((p) => row(p, netFigures(p.book, prices.get(key(p)) ?? null))),
      day: list.filter((p) => p.book.tradingDay === today).map((p) => row(p, dayFigures(p.book, today, prices.get(key(p)) ?? null))),
    });
    const account = books.filter((p) => p.strategyId === ACCOUNT_BOOK);
    return {
      tradingDay: today,
      ...(scope.strategyIds ? {} : { account: view(account) }),
      strategies: groupBy(books.filter((p) => p.strategyId !== ACCOUNT_BOOK), (p) => p.strategyId).map(([strategyId, list]) => ({ strategyId, ...view(list) })),
    };
  }

  /**
   * Today's P&L: realized by today's reducing fills, unrealized of the open quantity against its cost at the last
   * price, today's charges, and net = realized + unrealized - charges. Per strategy, and per symbol from the account
   * book (operators) or from the caller's strategies' books (strategy keys). Positions without a price are listed in
   * `unpriced` and count no unrealized P&L.
   */
  async pnl(scope: Scope) {
    const { today, books, prices } = await this.load(scope);
    const unpriced = new Set<string>();
    const lines = books.map((p) => {
      const net = netFigures(p.book, prices.get(key(p)) ?? null);
      if (net.unrealizedPnl === null) unpriced.add(key(p));
      const day = p.book.tradingDay === today;
      return { p, realized: day ? p.book.dayRealizedPaise : 0n, unrealized: net.unrealizedPnl === null ? 0n : rupeesToPaise(net.unrealizedPnl), charges: day ? p.book.dayChargesPaise : 0n };
    });
    const strategyLines = lines.filter((l) => l.p.strategyId !== ACCOUNT_BOOK);
    const symbolLines = scope.strategyIds ? strategyLines : lines.filter((l) => l.p.strategyId === ACCOUNT_BOOK);
    return {
      tradingDay: today,
      total: totals(symbolLines),
      byStrategy: groupBy(strategyLines, (l) => l.p.strategyId).map(([strategyId, list]) => ({ strategyId, ...totals(list) })),
      bySymbol: groupBy(symbolLines, (l) => `${l.p.exchange}:${l.p.tradingsymbol}:${l.p.product}`).map(([, list]) => ({
        tradingsymbol: list[0].p.tradingsymbol, exchange: list[0].p.exchange, product: list[0].p.product, ...totals(list),
      })),
      unpriced: [...unpriced].sort(),
    };
  }

  private async load(scope: Scope) {
    const today = istTradingDay(this.d.now?.() ?? Date.now());
    const books = await this.d.positions.listPositions({ strategyIds: scope.strategyIds, tradingsymbol: scope.tradingsymbol, activeOn: today });
    const keys = [...new Set(books.filter((p) => p.book.quantity !== 0).map(key))];
    let prices = new Map<string, number>();
    if (keys.length) {
      try {
        prices = await this.d.lastPrices(keys);
      } catch (err) {
        this.d.log?.(`positions: no last prices (${(err as Error).message}); unrealized P&L left out`);
      }
    }
    return { today, books, prices };
  }
}

function row(p: StoredPosition, f: PositionFigures): Row {
  return { tradingsymbol: p.tradingsymbol, exchange: p.exchange, product: p.product, ...f };
}

function totals(lines: readonly { realized: bigint; unrealized: bigint; charges: bigint }[]): Totals {
  const sum = (pick: (l: (typeof lines)[number]) => bigint) => lines.reduce((s, l) => s + pick(l), 0n);
  const realized = sum((l) => l.realized);
  const unrealized = sum((l) => l.unrealized);
  const charges = sum((l) => l.charges);
  return { realized: paiseString(realized), unrealized: paiseString(unrealized), charges: paiseString(charges), net: paiseString(realized + unrealized - charges) };
}

function groupBy<T>(items: readonly T[], by: (t: T) => string): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(by(t), [...(m.get(by(t)) ?? []), t]);
  return [...m.entries()];
}
