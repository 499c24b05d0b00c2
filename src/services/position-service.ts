import { notFound } from './app-errors';
import { addDayPnl, dayFigures, dayPnl, istTradingDay, netFigures, paiseString, type DayPnl, type PositionFigures } from '../domain/positions';
import { accountOfBook, DEFAULT_ACCOUNT, isAccountBook, isUnattributedBook, type PositionStore, type StoredPosition } from '../store/position-store';

export interface PositionServiceDeps {
  positions: Pick<PositionStore, 'listPositions'>;
  /** Last traded prices in paise by "EXCHANGE:SYMBOL"; a key without a quote is absent. May throw (no prices then). */
  lastPrices: (keys: string[]) => Promise<Map<string, number>>;
  now?: () => number;
  log?: (msg: string) => void;
  /** The broker account of a strategy (absent: every strategy trades in the default account). */
  accountOf?: (strategyId: string) => string;
  /** The configured accounts: asking for another is 404, not an empty book. */
  accounts?: () => readonly string[];
}

/**
 * Whose figures: every account and strategy (operators), one account (its book and its strategies'), or only these
 * strategies (a strategy key).
 */
export interface Scope { strategyIds?: readonly string[]; tradingsymbol?: string; account?: string }

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
    const accounts = groupBy(books.filter((p) => isAccountBook(p.strategyId)), (p) => accountOfBook(p.strategyId)!);
    return {
      tradingDay: today,
      // `account`: every account's book together (one account's when asked for one); `accounts`: each on its own.
      ...(scope.strategyIds ? {} : { account: view(books.filter((p) => isAccountBook(p.strategyId))), accounts: accounts.map(([account, list]) => ({ account, ...view(list) })) }),
      strategies: groupBy(books.filter((p) => !isAccountBook(p.strategyId)), (p) => p.strategyId).map(([strategyId, list]) => ({ strategyId, ...flag(strategyId), ...view(list) })),
    };
  }

  /**
   * Today's P&L: realized by today's reducing fills, unrealized of the open quantity against its cost at the last
   * price, today's charges, and net = realized + unrealized - charges. Per strategy, and per symbol from the account
   * book (operators) or from the caller's strategies' books (strategy keys). Positions without a price are listed in
   * `unpriced` and count no unrealized P&L. The operators' total is the figure the risk gate's daily loss and the kill
   * switch's daily-loss check use (dayPnl over the account book).
   */
  async pnl(scope: Scope) {
    const { today, books, prices } = await this.load(scope);
    const unpriced = new Set<string>();
    const lines = books.map((p) => {
      const pnl = dayPnl(p.book, today, prices.get(key(p)) ?? null);
      if (pnl.unpriced) unpriced.add(key(p));
      return { p, pnl };
    });
    const strategyLines = lines.filter((l) => !isAccountBook(l.p.strategyId));
    const accountLines = lines.filter((l) => isAccountBook(l.p.strategyId));
    const symbolLines = scope.strategyIds ? strategyLines : accountLines;
    return {
      tradingDay: today,
      total: totals(symbolLines),
      ...(scope.strategyIds ? {} : { byAccount: groupBy(accountLines, (l) => accountOfBook(l.p.strategyId)!).map(([account, list]) => ({ account, ...totals(list) })) }),
      byStrategy: groupBy(strategyLines, (l) => l.p.strategyId).map(([strategyId, list]) => ({ strategyId, ...flag(strategyId), ...totals(list) })),
      bySymbol: groupBy(symbolLines, (l) => `${l.p.exchange}:${l.p.tradingsymbol}:${l.p.product}`).map(([, list]) => ({
        tradingsymbol: list[0].p.tradingsymbol, exchange: list[0].p.exchange, product: list[0].p.product, ...totals(list),
      })),
      unpriced: [...unpriced].sort(),
    };
  }

  private async load(scope: Scope) {
    if (scope.account && this.d.accounts && !this.d.accounts().includes(scope.account)) throw notFound(`account ${scope.account}`);
    const today = istTradingDay(this.d.now?.() ?? Date.now());
    const all = await this.d.positions.listPositions({ strategyIds: scope.strategyIds, tradingsymbol: scope.tradingsymbol, activeOn: today });
    const books = scope.account ? all.filter((p) => this.accountOfBookOrStrategy(p.strategyId) === scope.account) : all;
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

  private accountOfBookOrStrategy(strategyId: string): string {
    return accountOfBook(strategyId) ?? this.d.accountOf?.(strategyId) ?? DEFAULT_ACCOUNT;
  }
}

function row(p: StoredPosition, f: PositionFigures): Row {
  return { tradingsymbol: p.tradingsymbol, exchange: p.exchange, product: p.product, ...f };
}

function totals(lines: readonly { pnl: DayPnl }[]): Totals {
  const t = addDayPnl(lines.map((l) => l.pnl));
  return { realized: paiseString(t.realizedPaise), unrealized: paiseString(t.unrealizedPaise), charges: paiseString(t.chargesPaise), net: paiseString(t.netPaise) };
}

/** The book of what reconciliation corrected and no strategy traded is listed like a strategy, flagged. */
const flag = (strategyId: string) => (isUnattributedBook(strategyId) ? { unattributed: true } : {});

function groupBy<T>(items: readonly T[], by: (t: T) => string): Array<[string, T[]]> {
  const m = new Map<string, T[]>();
  for (const t of items) m.set(by(t), [...(m.get(by(t)) ?? []), t]);
  return [...m.entries()];
}
