import { LIVE_STATUSES } from '../domain/order-types';
import { toPaise, paiseToRupees } from '../domain/money';
import type { OrderState } from '../domain/order-state';
import type { ValidationReport } from '../domain/order-validation';
import type { AccountSnapshot, HeldPosition, PendingOrder } from '../domain/risk/risk-types';
import { addDayPnl, dayPnl, istTradingDay, rupeesToPaise } from '../domain/positions';
import type { Db } from './prisma';
import { orderKeys, orderRow, upsertOrderSql } from './order-store';
import { accountBook } from './position-store';

const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

/** Start of the IST trading day containing `nowMs`, as a Date. */
export function istDayStart(nowMs: number): Date {
  return new Date(Math.floor((nowMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS);
}

const paise = (v: string | null | undefined): number => (v === null || v === undefined ? 0 : toPaise(v) ?? 0);

/** What the gate decided, to be written with the reservation. */
export interface GateDecision {
  report: ValidationReport;
  passed: boolean;
  referencePricePaise: number | null;
  reservedMarginPaise: number;
}

export interface AdmitArgs {
  account: string;
  state: OrderState;
  underlying: string;
  nowMs: number;
  /** Last prices of the symbols the account holds or traded today ("EXCHANGE:SYMBOL" -> paise). */
  lastPrices: Map<string, number>;
  decide: (snapshot: AccountSnapshot) => GateDecision;
}

/**
 * The risk gate's serialisation point: one Postgres advisory transaction lock per broker account. Under it the
 * account's book is read (positions and today's P&L from the account position book — the books /positions and /pnl
 * show, moved by reconciliation too —, live orders that passed the gate and still reserve their remainder, today's
 * activity), the pure rules decide, and a passing order's reservation (its orders row with risk_passed) is written
 * before the lock is released. Two orders can therefore never both fit the same headroom.
 */
export class RiskStore {
  constructor(private readonly db: Db) {}

  /** The decision already written for this order (an activity retry must not decide twice). */
  async existingDecision(orderId: string): Promise<ValidationReport | null> {
    const row = await this.db.order.findUnique({ where: { id: orderId }, select: { riskPassed: true, validationResult: true } });
    return row?.riskPassed ? (row.validationResult as unknown as ValidationReport) : null;
  }

  /** Symbols to mark to market: the account book's open positions and anything it traded today. */
  async symbolsToMark(account: string, nowMs: number): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ key: string }[]>`
      SELECT DISTINCT exchange || ':' || tradingsymbol AS key FROM positions
      WHERE strategy_id = ${accountBook(account)} AND (quantity <> 0 OR trading_day = ${istTradingDay(nowMs)})`;
    return rows.map((r) => r.key);
  }

  /** Decides under the account's lock and, when the order passes, reserves for it in the same transaction. */
  async admit(args: AdmitArgs): Promise<ValidationReport> {
    return this.db.$transaction(async (tx) => {
      await lockAccount(tx as unknown as Db, args.account);
      const book = await readBook(tx as unknown as Db, args);
      if (book.already?.risk_passed) return book.already.validation_result as ValidationReport;

      const decision = args.decide(snapshotOf(book, args));
      // The full report is written here, passed or not: the workflow carries a compact one (compactReport).
      const state: OrderState = { ...args.state, status: decision.passed ? 'PENDING' : 'REJECTED', validation: decision.report };
      const risk = decision.passed ? {
        riskAccount: args.account, underlying: args.underlying, riskPassed: true,
        referencePrice: decision.referencePricePaise === null ? null : paiseToRupees(decision.referencePricePaise),
        reservedMargin: paiseToRupees(decision.reservedMarginPaise), validationResult: decision.report,
      } : { validationResult: decision.report };
      await tx.$executeRaw`${upsertOrderSql(orderKeys(state, args.account), { ...orderRow(state), ...risk })}`;
      return decision.report;
    }, { maxWait: 10_000, timeout: 30_000 });
  }

  /**
   * Re-checks a working order whose terms are about to change, against the rest of the book (the order's own
   * reservation is left out of the snapshot), under the same lock. When it passes, the reservation grows at once to
   * cover the larger of the old and new quantity; the workflow's next save brings it to the broker's answer.
   */
  async admitModification(args: AdmitArgs): Promise<ValidationReport> {
    return this.db.$transaction(async (tx) => {
      await lockAccount(tx as unknown as Db, args.account);
      const decision = args.decide(snapshotOf(await readBook(tx as unknown as Db, args), args));
      const report = JSON.stringify(decision.report);
      if (decision.passed) {
        await tx.$executeRaw`
          UPDATE orders SET quantity = GREATEST(quantity, ${args.state.request.quantity}),
                 reference_price = ${decision.referencePricePaise === null ? null : paiseToRupees(decision.referencePricePaise)}::numeric,
                 reserved_margin = ${paiseToRupees(decision.reservedMarginPaise)}::numeric,
                 modification_risk = ${report}::jsonb
          WHERE id = ${args.state.orderId} AND risk_passed`;
      } else {
        await tx.$executeRaw`UPDATE orders SET modification_risk = ${report}::jsonb WHERE id = ${args.state.orderId}`;
      }
      return decision.report;
    }, { maxWait: 10_000, timeout: 30_000 });
  }
}

/** The gate's serialisation point: held until the transaction ends. */
export async function lockAccount(db: Db, account: string): Promise<void> {
  await db.$queryRaw`SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext(${'oms-risk:' + account}))) AS l`;
}

type PositionRow = { tradingsymbol: string; exchange: string; underlying: string; net: number };
type PendingRow = { id: string; strategy_id: string; tradingsymbol: string; exchange: string; underlying: string; side: 'BUY' | 'SELL'; remaining: number; reference: string | null; reserved: string | null };
/** An account book row as today's P&L reads it (dayPnl), money as decimal text. */
type BookPnlRow = { tradingsymbol: string; exchange: string; quantity: number; open_value: string; trading_day: string | null; day_realized: string; day_charges: string };
type KillSwitchRow = { status: string; reason: string | null; reset_at: string | null; engaged_at: string | null };
/** The whole book the gate reads, as one row: one round trip under the lock instead of one per part. */
type BookRow = {
  already: { risk_passed: boolean | null; validation_result: unknown } | null;
  positions: PositionRow[]; pending: PendingRow[]; books: BookPnlRow[]; traded: string; count: number;
  recent: { quantity: number; value: string | null }[]; kill_switch: KillSwitchRow | null;
};

/**
 * The account's book for the gate, read in one statement under the account's lock (the lock is held for a few round
 * trips, not one per part): positions and today's P&L from the account position book (one OMS database, one broker
 * account: the books are that account's), the unfilled remainders of live orders, today's traded value, the day's
 * order count, the strategy's recent orders, the kill switch — and what was already decided for this order.
 */
async function readBook(db: Db, args: AdmitArgs): Promise<BookRow> {
  const { account } = args;
  const orderId = args.state.orderId;
  const dayStart = istDayStart(args.nowMs);
  const [row] = await db.$queryRaw<BookRow[]>`
    SELECT
      (SELECT json_build_object('risk_passed', risk_passed, 'validation_result', validation_result) FROM orders WHERE id = ${orderId}) AS already,
      (SELECT COALESCE(json_agg(p), '[]'::json) FROM (
        SELECT b.tradingsymbol, b.exchange, SUM(b.quantity)::int AS net,
               COALESCE((SELECT o.underlying FROM orders o WHERE o.tradingsymbol = b.tradingsymbol AND o.exchange = b.exchange AND o.underlying IS NOT NULL
                         ORDER BY o.created_at DESC LIMIT 1), b.tradingsymbol) AS underlying
        FROM positions b
        WHERE b.strategy_id = ${accountBook(account)}
        GROUP BY b.tradingsymbol, b.exchange
        HAVING SUM(b.quantity) <> 0) p) AS positions,
      (SELECT COALESCE(json_agg(x), '[]'::json) FROM (
        SELECT id, strategy_id, tradingsymbol, exchange, COALESCE(underlying, tradingsymbol) AS underlying, side,
               (quantity - filled_quantity)::int AS remaining, reference_price::text AS reference,
               (CASE WHEN status IN ('RECEIVED', 'PENDING', 'SUBMITTED') THEN reserved_margin ELSE 0 END)::text AS reserved
        FROM orders
        WHERE risk_account = ${account} AND risk_passed AND status = ANY(${LIVE_STATUSES}) AND id <> ${orderId}) x) AS pending,
      (SELECT COALESCE(json_agg(x), '[]'::json) FROM (
        SELECT tradingsymbol, exchange, quantity, open_value::text AS open_value, trading_day,
               day_realized_pnl::text AS day_realized, day_charges::text AS day_charges
        FROM positions
        WHERE strategy_id = ${accountBook(account)} AND (quantity <> 0 OR trading_day = ${istTradingDay(args.nowMs)})) x) AS books,
      (SELECT ROUND(COALESCE(SUM(t.quantity * t.price), 0), 2)::text
        FROM trades t JOIN orders o ON o.id = t.order_id
        WHERE o.risk_account = ${account} AND t.executed_at >= ${dayStart}) AS traded,
      (SELECT COUNT(*)::int FROM orders
        WHERE risk_account = ${account} AND risk_passed AND created_at >= ${dayStart} AND id <> ${orderId}) AS count,
      (SELECT COALESCE(json_agg(json_build_object('quantity', r.quantity, 'value', r.value) ORDER BY r.created_at DESC), '[]'::json) FROM (
        SELECT quantity, ROUND(quantity * reference_price, 2)::text AS value, created_at FROM orders
        WHERE risk_account = ${account} AND strategy_id = ${args.state.request.strategyId} AND risk_passed AND id <> ${orderId}
        ORDER BY created_at DESC LIMIT 50) r) AS recent,
      (SELECT json_build_object('status', status, 'reason', reason, 'reset_at', reset_at, 'engaged_at', engaged_at) FROM kill_switches WHERE account = ${account}) AS kill_switch`;
  return row;
}

function snapshotOf(book: BookRow, args: AdmitArgs): AccountSnapshot {
  const { positions, pending, books, count, recent } = book;
  const pendingOrders: PendingOrder[] = pending.map((p) => ({
    orderId: p.id, strategyId: p.strategy_id, tradingsymbol: p.tradingsymbol, exchange: p.exchange, underlying: p.underlying,
    side: p.side, remainingQuantity: p.remaining, referencePricePaise: paise(p.reference), reservedMarginPaise: paise(p.reserved),
  }));
  const held: HeldPosition[] = positions.map((p) => ({
    tradingsymbol: p.tradingsymbol, exchange: p.exchange, underlying: p.underlying, netQuantity: p.net,
    lastPricePaise: args.lastPrices.get(`${p.exchange}:${p.tradingsymbol}`) ?? null,
  }));
  // Today's P&L exactly as /pnl computes the account's total (the kill switch's daily-loss check reads that total).
  const today = istTradingDay(args.nowMs);
  const pnl = addDayPnl(books.map((b) => dayPnl({
    quantity: b.quantity, openValuePaise: rupeesToPaise(b.open_value), tradingDay: b.trading_day,
    dayRealizedPaise: rupeesToPaise(b.day_realized), dayChargesPaise: rupeesToPaise(b.day_charges),
  }, today, args.lastPrices.get(`${b.exchange}:${b.tradingsymbol}`) ?? null)));
  let turnover = BigInt(paise(book.traded));
  for (const p of pendingOrders) turnover += BigInt(p.remainingQuantity) * BigInt(p.referencePricePaise);
  const ks = book.kill_switch;
  const at = (t: string | null) => (t === null ? null : new Date(t));
  return {
    positions: held,
    pending: pendingOrders,
    day: { orderCount: count, turnoverPaise: Number(turnover), grossPnlPaise: Number(pnl.realizedPaise + pnl.unrealizedPaise), chargesPaise: Number(pnl.chargesPaise) },
    recent: { quantities: recent.map((r) => r.quantity), valuesPaise: recent.map((r) => paise(r.value)) },
    availableMarginPaise: null,
    killSwitch: ks ? { status: ks.status as 'ACTIVE' | 'HALTED', reason: ks.reason, resetAtMs: at(ks.reset_at)?.getTime() ?? null, engagedAt: at(ks.engaged_at)?.toISOString() ?? null, resetAt: at(ks.reset_at)?.toISOString() ?? null } : null,
  };
}
