import { applyFill, EMPTY_BOOK, istTradingDay, paiseString, ratioRupees, rupeesToPaise, type PositionBook } from '../domain/positions';
import type { Side } from '../domain/order-types';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from './prisma';

/** The account of a deployment that names none (config/accounts.json absent): risk.json's `account`. */
export const DEFAULT_ACCOUNT = 'default';

/** The book of a whole broker account (all its strategies), beside each strategy's own. */
export const accountBook = (account: string): string => `*:${account}`;
export const isAccountBook = (strategyId: string): boolean => strategyId.startsWith('*');
/** The account whose book this is, an account's own or its unattributed book (null for a strategy's book). */
export const accountOfBook = (strategyId: string): string | null =>
  isAccountBook(strategyId) ? strategyId.slice(2) : isUnattributedBook(strategyId) ? strategyId.slice('~unattributed:'.length) : null;

/**
 * The strategy-level book of what reconciliation moved in an account's book and no strategy traded (the broker cannot
 * say whose it is): with it the strategy books always add up to the account book. `~` and `:` are outside the API's
 * strategy id characters, so no client can place, read or be given this id.
 */
export const unattributedBook = (account: string): string => `~unattributed:${account}`;
export const isUnattributedBook = (strategyId: string): boolean => strategyId.startsWith('~unattributed');

/** A fill whose trade row was just inserted: what the position books need of it. */
export interface RecordedFill {
  tradeId: string;
  strategyId: string;
  /** The broker account it was traded in: its book moves too. */
  account: string;
  tradingsymbol: string;
  exchange: string;
  product: string;
  side: Side;
  quantity: number;
  pricePaise: number;
  chargesPaise: bigint;
  executedAtMs: number;
}

export interface PositionKey { strategyId: string; tradingsymbol: string; exchange: string; product: string }
export interface StoredPosition extends PositionKey { book: PositionBook; updatedAt: Date }

export interface PositionFilter {
  /** Only these strategies' books (a strategy key's own); the account books are left out when set. */
  strategyIds?: readonly string[];
  tradingsymbol?: string;
  /** Also books that are flat and did not trade on this IST date are left out (default: every book). */
  activeOn?: string;
}

type Tx = Prisma.TransactionClient;

/**
 * Applies freshly inserted fills to their strategy's book and to the account's book, inside the caller's transaction
 * (the one that inserted the trade rows, so a fill counts exactly once: a replayed fill inserts no row and never gets
 * here). A transaction-scoped advisory lock per instrument serialises concurrent orders in the same contract. Answers
 * each fill's strategy book after it (the POSITION event).
 */
export async function applyRecordedFills(tx: Tx, fills: readonly RecordedFill[]): Promise<PositionBook[]> {
  const strategyBooks: PositionBook[] = [];
  for (const f of fills) {
    await lockInstrument(tx, f);
    for (const strategyId of [f.strategyId, accountBook(f.account)]) {
      const key = { strategyId, tradingsymbol: f.tradingsymbol, exchange: f.exchange, product: f.product };
      const row = await tx.position.findUnique({ where: { strategyId_tradingsymbol_exchange_product: key } });
      const { book } = applyFill(row ? bookOf(row) : EMPTY_BOOK, {
        tradeId: f.tradeId, side: f.side, quantity: f.quantity, pricePaise: f.pricePaise, chargesPaise: f.chargesPaise, tradingDay: istTradingDay(f.executedAtMs),
      });
      const data = { ...columnsOf(book), lastTradeId: f.tradeId, updatedAt: new Date() };
      await tx.position.upsert({ where: { strategyId_tradingsymbol_exchange_product: key }, create: { ...key, ...data }, update: data });
      if (strategyId === f.strategyId) strategyBooks.push(book);
    }
  }
  return strategyBooks;
}

/** The transaction-scoped lock that serialises every change to one instrument's books (fills, reconciliation). */
export async function lockInstrument(tx: Tx, p: { exchange: string; tradingsymbol: string; product: string }): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${`oms-position:${p.exchange}:${p.tradingsymbol}:${p.product}`}))) AS l`;
}

/** Reads position books. The only Prisma code for positions besides applyRecordedFills. */
export class PositionStore {
  constructor(private readonly db: Db) {}

  /** Books by strategy ('*:<account>' = an account's), ordered by symbol then strategy. */
  async listPositions(f: PositionFilter = {}): Promise<StoredPosition[]> {
    const rows = await this.db.position.findMany({
      where: {
        strategyId: f.strategyIds ? { in: [...f.strategyIds] } : undefined,
        tradingsymbol: f.tradingsymbol,
        ...(f.activeOn ? { OR: [{ quantity: { not: 0 } }, { tradingDay: f.activeOn }] } : {}),
      },
      orderBy: [{ tradingsymbol: 'asc' }, { exchange: 'asc' }, { product: 'asc' }, { strategyId: 'asc' }],
    });
    return rows.map((r) => ({ strategyId: r.strategyId, tradingsymbol: r.tradingsymbol, exchange: r.exchange, product: r.product, book: bookOf(r), updatedAt: r.updatedAt }));
  }

  /** One book, or null before its first fill. */
  async getPosition(key: PositionKey): Promise<PositionBook | null> {
    const row = await this.db.position.findUnique({ where: { strategyId_tradingsymbol_exchange_product: key } });
    return row ? bookOf(row) : null;
  }
}

type PositionRow = NonNullable<Awaited<ReturnType<Db['position']['findUnique']>>>;
const paise = (d: { toString(): string }) => rupeesToPaise(d.toString());

export function bookOf(r: PositionRow): PositionBook {
  return {
    quantity: r.quantity, openValuePaise: paise(r.openValue), realizedPaise: paise(r.realizedPnl), chargesPaise: paise(r.charges),
    buyQuantity: r.buyQuantity, buyValuePaise: paise(r.buyValue), sellQuantity: r.sellQuantity, sellValuePaise: paise(r.sellValue),
    tradingDay: r.tradingDay, overnightQuantity: r.overnightQuantity, overnightValuePaise: paise(r.overnightValue),
    dayBuyQuantity: r.dayBuyQuantity, dayBuyValuePaise: paise(r.dayBuyValue), daySellQuantity: r.daySellQuantity, daySellValuePaise: paise(r.daySellValue),
    dayRealizedPaise: paise(r.dayRealizedPnl), dayChargesPaise: paise(r.dayCharges),
  };
}

export function columnsOf(b: PositionBook) {
  const s = paiseString;
  return {
    quantity: b.quantity, openValue: s(b.openValuePaise), averagePrice: ratioRupees(b.openValuePaise, Math.abs(b.quantity)), realizedPnl: s(b.realizedPaise), charges: s(b.chargesPaise),
    buyQuantity: b.buyQuantity, buyValue: s(b.buyValuePaise), sellQuantity: b.sellQuantity, sellValue: s(b.sellValuePaise),
    tradingDay: b.tradingDay, overnightQuantity: b.overnightQuantity, overnightValue: s(b.overnightValuePaise),
    dayBuyQuantity: b.dayBuyQuantity, dayBuyValue: s(b.dayBuyValuePaise), daySellQuantity: b.daySellQuantity, daySellValue: s(b.daySellValuePaise),
    dayRealizedPnl: s(b.dayRealizedPaise), dayCharges: s(b.dayChargesPaise),
  };
}
