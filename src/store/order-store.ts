import { LIVE_STATUSES } from '../domain/order-types';
import type { AuditEvent, OrderState } from '../domain/order-state';
import type { Fill, Side } from '../domain/order-types';
import { isCompact } from '../domain/order-validation';
import { paiseToRupees } from '../domain/money';
import type { Db } from './prisma';
import { chargesPerFill, NO_CHARGES, type ChargeRates, type Charges } from '../domain/charges';
import { paiseString } from '../domain/positions';
import { applyRecordedFills, DEFAULT_ACCOUNT } from './position-store';
import { storable } from '../domain/storable';
import { fillOutboxEvents, orderOutboxEvents, type BookedFill } from '../domain/strategy-events';
import { appendEvents } from './event-store';
import { Prisma } from '../generated/prisma/client';

export interface OrderListFilter {
  status?: string;
  tradingsymbol?: string;
  strategyId?: string;
  /** Restricts the list to these strategies (a strategy key sees only its own). */
  strategyIds?: readonly string[];
  from?: Date;
  to?: Date;
  limit: number;
  /** Opaque cursor: the id of the last order on the previous page. */
  cursor?: string;
}

const rupees = (paise: number | null | undefined) => (paise === null || paise === undefined ? null : paiseToRupees(paise));
export const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;

/** A fill's charges as the trades row stores them (rupees). */
const chargeColumns = (c: Charges) => ({
  brokerage: paiseString(c.brokerage), stt: paiseString(c.stt), exchangeCharges: paiseString(c.transaction), sebiCharges: paiseString(c.sebi),
  stampDuty: paiseString(c.stamp), gst: paiseString(c.gst), totalCharges: paiseString(c.total),
});

/** The orders row for a state (everything but the create-only keys). */
export function orderRow(state: OrderState) {
  const r = state.request;
  return {
    strategyId: r.strategyId, tradingsymbol: r.tradingsymbol, exchange: r.exchange, side: r.side,
    quantity: state.quantity, orderType: state.orderType, product: r.product, validity: r.validity, variety: r.variety,
    price: rupees(state.pricePaise), triggerPrice: rupees(state.triggerPricePaise), stopLoss: rupees(r.stopLossPaise), takeProfit: rupees(r.takeProfitPaise),
    status: state.status, statusMessage: state.statusMessage, filledQuantity: state.filledQuantity, averagePrice: state.averagePrice,
    // The tag changes when the fallback ladder re-places a refused order: postbacks then find it by the new one.
    brokerOrderId: state.brokerOrderId, brokerStatus: state.brokerStatus, tag: state.tag,
    submittedAt: state.submittedAt ? new Date(state.submittedAt) : null, updatedAt: new Date(state.updatedAt),
    filledAt: state.filledAt ? new Date(state.filledAt) : null,
    // A compact report (the gate's) never overwrites the full one the gate wrote.
    validationResult: state.validation && !isCompact(state.validation) ? state.validation : undefined,
    metadata: r.metadata ?? undefined,
    intervention: state.intervention ?? null,
  };
}

/** The orders columns holding JSON, and those holding decimals (sent as exact strings, cast in SQL). */
const JSON_FIELDS = new Set(['validationResult', 'metadata', 'intervention']);
const DECIMAL_FIELDS = new Set(['price', 'triggerPrice', 'stopLoss', 'takeProfit', 'averagePrice', 'referencePrice', 'reservedMargin']);
/** The schema maps every camelCase field of Order to its snake_case column. */
const column = (field: string) => Prisma.raw(field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
const fieldValue = (field: string, v: unknown) =>
  v === null ? Prisma.sql`NULL`
    : JSON_FIELDS.has(field) ? Prisma.sql`${JSON.stringify(v)}::jsonb`
      : DECIMAL_FIELDS.has(field) ? Prisma.sql`${String(v)}::numeric` : Prisma.sql`${v}`;

/**
 * One statement that inserts an order row (`keys`, written once, and `row`) or updates its `row` fields (those not
 * undefined), as `order.upsert` would: measured at ~6 ms per call through Prisma's query engine against ~1 ms as raw
 * SQL, and it runs in every save and in the risk gate's locked transaction. Each value is sent once (EXCLUDED).
 */
export function upsertOrderSql(keys: Record<string, unknown>, row: Record<string, unknown>): Prisma.Sql {
  const changed = Object.keys(row).filter((f) => row[f] !== undefined);
  const fields = [...Object.keys(keys).filter((f) => keys[f] !== undefined), ...changed];
  const values = { ...keys, ...row };
  return Prisma.sql`INSERT INTO orders (${Prisma.join(fields.map(column))}) VALUES (${Prisma.join(fields.map((f) => fieldValue(f, values[f])))})
    ON CONFLICT (id) DO UPDATE SET ${Prisma.join(changed.map((f) => Prisma.sql`${column(f)} = EXCLUDED.${column(f)}`))}`;
}

/** Create-only keys of an orders row (the account it trades through is fixed at creation). */
export const orderKeys = (state: OrderState, account: string) => ({
  id: state.orderId, account, clientOrderId: state.request.clientOrderId, payloadHash: state.payloadHash, createdAt: new Date(state.createdAt),
  parentId: state.link?.parentId ?? null, legRole: state.link?.role ?? null,
});

/** The only code that speaks Prisma for orders. Every write is an upsert keyed by a natural id: replays are no-ops. */
/**
 * The audit events as one INSERT; a sequence already stored is overwritten. Admission's save is a local activity: a
 * worker that dies before that workflow task completes may have saved events the workflow never committed, and the run
 * that takes over produces those sequences again (at a later workflow time, or other events): the committed run,
 * which saves last, is the truth.
 */
function upsertEvents(orderId: string, events: AuditEvent[]): Prisma.Sql {
  const rows = events.map((e) => Prisma.sql`(${`${orderId}:${e.sequence}`}, ${orderId}, ${e.sequence}, ${e.type}, ${e.fromStatus}, ${e.toStatus}, ${e.source}, ${e.actor ?? e.source},
    ${e.payload === undefined || e.payload === null ? null : JSON.stringify(e.payload)}::jsonb, ${new Date(e.occurredAt)})`);
  return Prisma.sql`INSERT INTO order_events (id, order_id, sequence, type, from_status, to_status, source, actor, payload, occurred_at)
    VALUES ${Prisma.join(rows)}
    ON CONFLICT (id) DO UPDATE SET type = EXCLUDED.type, from_status = EXCLUDED.from_status, to_status = EXCLUDED.to_status,
      source = EXCLUDED.source, actor = EXCLUDED.actor, payload = EXCLUDED.payload, occurred_at = EXCLUDED.occurred_at`;
}

export class OrderStore {
  /**
   * `charges`: the rates of config/charges.json; none by default (tests that do not look at charges). `accountOf`: the
   * broker account of a strategy (config/accounts.json), whose book its fills move and whose events they are.
   */
  constructor(private readonly db: Db, private readonly charges: ChargeRates = NO_CHARGES, private readonly accountOf: (strategyId: string) => string = () => DEFAULT_ACCOUNT) {}

  /**
   * Writes the order row, its new audit events and its fills in one transaction. Each fill's charges are its share of
   * the order's (chargesPerFill); a fill whose trade row is inserted now, and only such a fill, moves the strategy's
   * and the account's position books, so a replayed save changes nothing.
   */
  async saveProgress(unsafeState: OrderState, unsafeEvents: AuditEvent[]): Promise<void> {
    const { state, events } = storable({ state: unsafeState, events: unsafeEvents });
    const r = state.request;
    const row = orderRow(state);
    // A split order's fills are its slices' trades, recorded by the slices themselves.
    const fills = state.slices?.length ? [] : state.fills;
    const charges = chargesPerFill(r.side, fills, this.charges);
    await this.db.$transaction(async (tx) => {
      // The account is the order row's, fixed when it was created (by the gate, or here from the strategy's account).
      const [{ account }] = await tx.$queryRaw<{ account: string }[]>`${upsertOrderSql(orderKeys(state, this.accountOf(r.strategyId)), row)} RETURNING account`;
      if (events.length > 0) await tx.$executeRaw`${upsertEvents(state.orderId, events)}`;
      const booked = fills.length > 0 ? await insertFills(tx, state.orderId, state.brokerOrderId ?? '', { ...r, account }, fills, charges) : [];
      // Last: the outbox's lock is held until commit (event-store.ts).
      await appendEvents(tx, [...booked.flatMap((b) => fillOutboxEvents(b, account)), ...orderOutboxEvents(state, events, account)]);
    }, { maxWait: 10_000, timeout: 30_000 });
  }

  /**
   * Books the fills of a duplicate broker order (a second order under this order's tag, DUPLICATE_ORDER) as trades of
   * this order with the duplicate's broker order id, so the strategy's and the account's books hold what the broker
   * did. Keyed by trade id like every fill: booking again inserts nothing. Answers how many trades were new.
   */
  async recordDuplicateFills(orderId: string, brokerOrderId: string, fills: readonly Fill[]): Promise<number> {
    if (fills.length === 0) return 0;
    return this.db.$transaction(async (tx) => {
      const o = await tx.order.findUnique({ where: { id: orderId }, select: { strategyId: true, tradingsymbol: true, exchange: true, side: true, product: true, account: true } });
      if (!o) throw new Error(`order ${orderId} is not in the database`);
      const r = { ...o, side: o.side as Side };
      const booked = await insertFills(tx, orderId, brokerOrderId, r, fills, chargesPerFill(r.side, fills, this.charges));
      await appendEvents(tx, booked.flatMap((b) => fillOutboxEvents(b, o.account)));
      return booked.length;
    }, { maxWait: 10_000, timeout: 30_000 });
  }

  /**
   * Takes the send ticket of a first placement under `tag`, promising to send nothing after `sendBy`: true for the
   * first taker, false when an attempt took it before (the caller then looks the tag up, and claims it to resend).
   */
  async takeSendTicket(tag: string, orderId: string, sendBy: Date): Promise<boolean> {
    const taken = await this.db.$executeRaw`INSERT INTO broker_send_tickets (tag, order_id, send_by) VALUES (${tag}, ${orderId}, ${sendBy}) ON CONFLICT (tag) DO NOTHING`;
    return taken === 1;
  }

  /**
   * Claims the ticket for another send once no earlier attempt can still act: the holder's `send_by` plus `settleMs`
   * (the longest the broker is taken to act on a request it got) has passed. Else how long to wait.
   */
  async claimSendTicket(tag: string, orderId: string, sendBy: Date, settleMs: number): Promise<{ claimed: true } | { waitMs: number }> {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ wait_ms: number }[]>`
        SELECT GREATEST(0, extract(epoch FROM (send_by + make_interval(secs => ${settleMs / 1000}) - clock_timestamp())) * 1000)::float8 AS wait_ms
        FROM broker_send_tickets WHERE tag = ${tag} FOR UPDATE`;
      if (rows.length > 0 && rows[0].wait_ms > 0) return { waitMs: Math.ceil(rows[0].wait_ms) };
      await tx.$executeRaw`
        INSERT INTO broker_send_tickets (tag, order_id, send_by) VALUES (${tag}, ${orderId}, ${sendBy})
        ON CONFLICT (tag) DO UPDATE SET send_by = EXCLUDED.send_by`;
      return { claimed: true as const };
    });
  }

  /** The holder's attempt has ended (answered, failed or gave up): it sends nothing more, so its promise ends now. */
  async releaseSendTicket(tag: string, opts: { unsent?: boolean } = {}): Promise<void> {
    // Unsent: the attempt provably sent nothing (refused before connecting), so no settle window is owed either.
    if (opts.unsent) await this.db.$executeRaw`DELETE FROM broker_send_tickets WHERE tag = ${tag}`;
    else await this.db.$executeRaw`UPDATE broker_send_tickets SET send_by = LEAST(send_by, clock_timestamp()) WHERE tag = ${tag}`;
  }

  /** How long until no attempt under `tag` can still act at the broker (its send_by plus `settleMs`); 0 when none can. */
  async sendTicketSettlesInMs(tag: string, settleMs: number): Promise<number> {
    const rows = await this.db.$queryRaw<{ wait_ms: number }[]>`
      SELECT GREATEST(0, extract(epoch FROM (send_by + make_interval(secs => ${settleMs / 1000}) - clock_timestamp())) * 1000)::float8 AS wait_ms
      FROM broker_send_tickets WHERE tag = ${tag}`;
    return rows.length > 0 ? Math.ceil(rows[0].wait_ms) : 0;
  }

  async getOrder(id: string) {
    const order = await this.db.order.findUnique({
      where: { id },
      include: { trades: { orderBy: { executedAt: 'asc' } }, events: { orderBy: { sequence: 'asc' } } },
    });
    if (!order) return null;
    // A split order's fills are its slices' trades.
    const legs = await this.db.order.findMany({ where: { parentId: id }, orderBy: { id: 'asc' }, include: { trades: { orderBy: { executedAt: 'asc' } } } });
    return { ...order, legs, trades: [...order.trades, ...legs.flatMap((l) => l.trades)] };
  }

  /** Live orders waiting for an operator, oldest first. */
  async listWaitingForOperator() {
    return this.db.order.findMany({
      where: { intervention: { not: Prisma.DbNull }, status: { notIn: ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'] } },
      orderBy: { updatedAt: 'asc' }, take: 500,
      select: { id: true, clientOrderId: true, strategyId: true, tradingsymbol: true, status: true, brokerOrderId: true, intervention: true, updatedAt: true },
    });
  }

  /** Orders that have not ended (oldest first), narrowed by strategy and/or symbol: what a cancel sweep asks to cancel. */
  async listLiveOrders(f: { strategyId?: string; tradingsymbol?: string; strategyIds?: readonly string[]; account?: string } = {}) {
    return this.db.order.findMany({
      where: {
        status: { in: LIVE_STATUSES }, tradingsymbol: f.tradingsymbol, account: f.account,
        strategyId: f.strategyId ?? (f.strategyIds ? { in: [...f.strategyIds] } : undefined),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 5000,
      select: {
        id: true, clientOrderId: true, strategyId: true, tradingsymbol: true, exchange: true, product: true, side: true, quantity: true,
        filledQuantity: true, status: true, brokerOrderId: true, parentId: true, legRole: true,
      },
    });
  }

  /** Which strategies have working orders in which broker account. */
  async liveStrategyAccounts(): Promise<{ strategyId: string; account: string }[]> {
    const rows = await this.db.order.groupBy({ by: ['strategyId', 'account'], where: { status: { in: LIVE_STATUSES } } });
    return rows.map((r) => ({ strategyId: r.strategyId, account: r.account }));
  }

  /** The full risk report the gate stored for an order (null when none). */
  /** The risk gate's full reports on the order: at admission, and on its last modify. */
  async findRiskReports(id: string): Promise<{ validation: unknown; modificationRisk: unknown }> {
    const row = await this.db.order.findUnique({ where: { id }, select: { validationResult: true, modificationRisk: true } });
    return { validation: row?.validationResult ?? null, modificationRisk: row?.modificationRisk ?? null };
  }

  async findStrategyOf(id: string): Promise<string | null> {
    return (await this.db.order.findUnique({ where: { id }, select: { strategyId: true } }))?.strategyId ?? null;
  }

  async findByTag(tag: string) {
    return this.db.order.findUnique({ where: { tag }, select: { id: true, status: true } });
  }

  /** What the OMS last saved of the orders holding these tags (one query): the order-book watcher's baseline. */
  async findByTags(tags: string[]) {
    if (tags.length === 0) return [];
    return this.db.order.findMany({ where: { tag: { in: tags } }, select: { id: true, tag: true, status: true, brokerStatus: true, filledQuantity: true } });
  }

  async findByBrokerOrderId(brokerOrderId: string) {
    return this.db.order.findUnique({ where: { brokerOrderId }, select: { id: true, status: true } });
  }

  async findByClientOrderId(clientOrderId: string) {
    return this.db.order.findUnique({ where: { clientOrderId }, select: { id: true, status: true, payloadHash: true } });
  }

  async listOrders(f: OrderListFilter) {
    const where: Prisma.OrderWhereInput = {
      status: f.status, tradingsymbol: f.tradingsymbol,
      strategyId: f.strategyId ?? (f.strategyIds ? { in: [...f.strategyIds] } : undefined),
      createdAt: f.from || f.to ? { gte: f.from, lt: f.to } : undefined,
    };
    const rows = await this.db.order.findMany({
      where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: f.limit + 1,
      ...(f.cursor ? { cursor: { id: f.cursor }, skip: 1 } : {}),
    });
    const page = rows.slice(0, f.limit);
    return { orders: page, nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
  }
}

type FillOrder = { strategyId: string; tradingsymbol: string; exchange: string; side: Side; product: string; account: string };

/**
 * Inserts the trade rows not yet there and moves the books by exactly those (a replayed fill inserts nothing); answers
 * the fills booked now, each with the strategy's book after it.
 */
async function insertFills(tx: Prisma.TransactionClient, orderId: string, brokerOrderId: string, r: FillOrder, fills: readonly Fill[], charges: Charges[]): Promise<BookedFill[]> {
  const inserted = await tx.trade.createManyAndReturn({
    data: fills.map((f, i) => ({
      brokerTradeId: f.tradeId, orderId, brokerOrderId, tradingsymbol: r.tradingsymbol,
      exchange: r.exchange, side: r.side, quantity: f.quantity, price: paiseToRupees(f.pricePaise), executedAt: new Date(f.executedAt),
      strategyId: r.strategyId, product: r.product, ...chargeColumns(charges[i]),
    })),
    skipDuplicates: true,
    select: { brokerTradeId: true },
  });
  const fresh = new Set(inserted.map((t) => t.brokerTradeId));
  const booked = fills.filter((f) => fresh.has(f.tradeId));
  const books = await applyRecordedFills(tx, fills.flatMap((f, i) => (fresh.has(f.tradeId) ? [{
    tradeId: f.tradeId, strategyId: r.strategyId, account: r.account, tradingsymbol: r.tradingsymbol, exchange: r.exchange, product: r.product, side: r.side,
    quantity: f.quantity, pricePaise: f.pricePaise, chargesPaise: charges[i].total, executedAtMs: Date.parse(f.executedAt),
  }] : [])));
  return booked.map((f, i) => ({
    orderId, strategyId: r.strategyId, tradingsymbol: r.tradingsymbol, exchange: r.exchange, product: r.product, side: r.side,
    tradeId: f.tradeId, quantity: f.quantity, pricePaise: f.pricePaise, executedAt: f.executedAt, book: books[i],
  }));
}
