import type { BrokerMetrics } from '../metrics/oms-metrics';
import { measured } from './measured';
import type { BookOrder } from '../domain/order-book-watch';
import { KiteConnect } from 'kiteconnect';
import { toPaise, paiseToNumber } from '../domain/money';
import type { BrokerOrderSnapshot, Fill, Instrument, OrderRequest } from '../domain/order-types';
import type { MarketQuote } from '../domain/risk/risk-types';
import { BrokerError, classifyBrokerError } from './broker-errors';
import { Reachability } from './reachability';
import { parseKiteTimestamp } from './kite-time';
import type { OrderRateLimiter } from './rate-limiter';

export interface KiteGatewayOptions {
  apiKey: string;
  accessToken: string;
  /** Kite's API root; the paper broker's address in paper mode. */
  root: string;
  timeoutMs: number;
  /** How long the instrument master is trusted before it is fetched again. */
  instrumentsTtlMs?: number;
  now?: () => number;
  /** Queues order requests (place, modify, cancel) under Kite's per-account limits instead of meeting 429s. */
  orderLimiter?: OrderRateLimiter;
  /** Where a fresh access token appears after an operator supplied one (Kite tokens expire daily). */
  tokenSource?: () => Promise<string | null>;
  /** Called once each time the session is found expired (the broker refused the token in use): the alert. */
  onSessionExpired?: () => void;
  /** Each call's name, duration and error kind (GET /metrics). */
  metrics?: Pick<BrokerMetrics, 'call'>;
}

export interface ModifyChanges { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: string }

type KiteOrder = { order_id: string; status: string; status_message?: string | null; quantity: number; filled_quantity: number; pending_quantity: number; cancelled_quantity: number; average_price: number; price: number; trigger_price: number; order_type: string; tag?: string | null; tags?: string[] | null; order_timestamp?: unknown };

/** The order the broker holds under a tag; `duplicates`: other broker orders under the same tag (oldest first). */
export type TaggedOrder = { brokerOrderId: string; status: string; duplicates?: string[] };

/** The parts of a Kite full quote the risk engine reads, prices in paise (the cache adds when it was received). */
export type BrokerQuote = Omit<MarketQuote, 'receivedAtMs'>;

type KiteQuote = { last_price: number; volume?: number; oi?: number; lower_circuit_limit?: number; upper_circuit_limit?: number; depth?: { buy?: { price: number }[]; sell?: { price: number }[] } };

/** The OMS's only door to Kite: the official client, errors classified, prices converted to paise. */
export class KiteGateway {
  private readonly kite: InstanceType<typeof KiteConnect>;
  private instruments = new Map<string, { at: number; byKey: Map<string, Instrument> }>();
  private readonly secrets: string[];

  constructor(private readonly opts: KiteGatewayOptions) {
    this.kite = new KiteConnect({ api_key: opts.apiKey, access_token: opts.accessToken, root: opts.root, timeout: opts.timeoutMs });
    this.secrets = [opts.accessToken];
    this.accessToken = opts.accessToken;
  }

  /** An order request: waits for a rate-limit slot (never past `deadlineMs`), then calls the broker. */
  private orderCall<T>(name: string, fn: () => Promise<T>, deadlineMs?: number): Promise<T> {
    const limiter = this.opts.orderLimiter;
    return limiter ? limiter.schedule(() => this.call(name, fn), deadlineMs) : this.call(name, fn);
  }

  private accessToken: string;

  /** One Kite call, measured (its name, duration and error kind) when the gateway has metrics. */
  private call<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return measured(this.opts.metrics, name, () => this.callOnce(fn));
  }

  private async callOnce<T>(fn: () => Promise<T>, retried = false): Promise<T> {
    const used = this.accessToken;
    try {
      const r = await fn();
      this.expiredToken = null;
      this.reachability.answered();
      return r;
    } catch (err) {
      const e = classifyBrokerError(err, this.secrets);
      if (e.kind === 'unknown') this.reachability.unanswered();
      // A 403 means the request did nothing: if a newer token is known (adopted meanwhile by a concurrent call, or
      // supplied by an operator), use it and ask once more.
      if (e.kind === 'token' && !retried && (await this.freshTokenSince(used))) return this.callOnce(fn, true);
      if (e.kind === 'token') this.markExpired();
      throw e;
    }
  }

  private markExpired(): void {
    const first = this.expiredToken !== this.accessToken;
    this.expiredToken = this.accessToken;
    if (first) this.opts.onSessionExpired?.();
  }

  private readonly reachability = new Reachability();

  /** Whether the broker cannot be reached (calls unanswered since the last answer, and a GET /user/margins probe too). */
  brokerUnreachable(): Promise<boolean> {
    return this.reachability.unreachable(() => this.call('getMargins', () => this.kite.getMargins('equity')));
  }

  /** The token the broker last refused (TokenException) with no success since; null while the session works. */
  private expiredToken: string | null = null;

  /**
   * Whether the broker session is known to have expired: the broker refused the token in use and no newer one has been
   * supplied since (checked at the token source, so an operator's fresh token ends it without a broker call).
   */
  async sessionExpired(): Promise<boolean> {
    const refused = this.expiredToken;
    if (refused === null) return false;
    if (this.accessToken !== refused || (await this.freshTokenSince(refused))) {
      if (this.expiredToken === refused) this.expiredToken = null;
      return false;
    }
    return true;
  }

  /** The access token to use now: a newer one from the token source (the daily login's) is adopted first. */
  async currentAccessToken(): Promise<string> {
    await this.freshTokenSince(this.accessToken);
    return this.accessToken;
  }

  /** Whether a token newer than `used` is now in use: adopted by a concurrent call, or just loaded from the source. */
  private async freshTokenSince(used: string): Promise<boolean> {
    if (this.accessToken !== used) return true;
    const fresh = await this.opts.tokenSource?.().catch(() => null);
    if (this.accessToken !== used) return true;
    if (!fresh || fresh === used) return false;
    this.accessToken = fresh;
    this.secrets.push(fresh);
    this.kite.setAccessToken(fresh);
    return true;
  }

  /** Instrument master lookup from the broker's instruments dump, cached per exchange and IST trading day. */
  async getInstrument(exchange: string, tradingsymbol: string): Promise<Instrument | null> {
    const now = (this.opts.now ?? Date.now)();
    let cached = this.instruments.get(exchange);
    // Kite publishes the dump once a day (before the session): refetch on a new IST day, and within a day after the TTL.
    const istDay = (ms: number) => Math.floor((ms + 330 * 60_000) / 86_400_000);
    if (!cached || istDay(now) !== istDay(cached.at) || now - cached.at > (this.opts.instrumentsTtlMs ?? 6 * 3600_000)) {
      const rows = await this.call('getInstruments', () => this.kite.getInstruments(exchange as never));
      const byKey = new Map<string, Instrument>();
      for (const r of rows as unknown as Record<string, unknown>[]) {
        const tick = toPaise(String(r.tick_size)) ?? 5;
        // kiteconnect parses the dump's dates in the machine's zone, so read them back in that zone.
        const expiry = r.expiry instanceof Date && !Number.isNaN(r.expiry.getTime()) ? localDate(r.expiry) : r.expiry ? String(r.expiry).slice(0, 10) : null;
        byKey.set(String(r.tradingsymbol), {
          tradingsymbol: String(r.tradingsymbol), exchange: String(r.exchange), instrumentToken: Number(r.instrument_token),
          lotSize: Number(r.lot_size) || 1, tickSizePaise: tick, expiry, instrumentType: String(r.instrument_type ?? ''),
          name: String(r.name ?? ''), segment: String(r.segment ?? ''),
        });
      }
      cached = { at: now, byKey };
      this.instruments.set(exchange, cached);
    }
    return cached.byKey.get(tradingsymbol) ?? null;
  }

  /** Sends a place request. Never call it twice for one order without findOrderByTag in between. */
  async placeOrder(req: OrderRequest, tag: string, deadlineMs?: number): Promise<string> {
    const params: Record<string, unknown> = {
      exchange: req.exchange, tradingsymbol: req.tradingsymbol, transaction_type: req.side, quantity: req.quantity,
      product: req.product, order_type: req.orderType, validity: req.validity, tag,
    };
    if (req.pricePaise !== undefined) params.price = paiseToNumber(req.pricePaise);
    if (req.triggerPricePaise !== undefined) params.trigger_price = paiseToNumber(req.triggerPricePaise);
    if (req.disclosedQuantity !== undefined) params.disclosed_quantity = req.disclosedQuantity;
    if (req.validity === 'TTL') params.validity_ttl = req.validityTtlMinutes;
    // SEBI's 2026 algo rules: market and SL-M orders carry market protection; -1 lets the exchange pick it.
    if (req.orderType === 'MARKET' || req.orderType === 'SL-M') params.market_protection = -1;
    const r = await this.orderCall('placeOrder', () => this.kite.placeOrder(req.variety as never, params as never), deadlineMs);
    return String((r as { order_id: string | number }).order_id);
  }

  /** Full quotes (GET /quote) for up to 500 "EXCHANGE:SYMBOL" keys; keys the broker does not know are absent. */
  async getQuotes(keys: string[]): Promise<Map<string, BrokerQuote>> {
    const data = (await this.call('getQuote', () => this.kite.getQuote(keys))) as unknown as Record<string, KiteQuote>;
    const out = new Map<string, BrokerQuote>();
    for (const [key, q] of Object.entries(data ?? {})) {
      const last = toPaise(q.last_price);
      if (last === null) continue;
      const best = (levels: { price: number }[] | undefined) => {
        const p = levels?.[0]?.price;
        return p !== undefined && p > 0 ? toPaise(p) : null;
      };
      out.set(key, {
        lastPricePaise: last, bestBidPaise: best(q.depth?.buy), bestAskPaise: best(q.depth?.sell),
        volume: typeof q.volume === 'number' ? q.volume : null, openInterest: typeof q.oi === 'number' ? q.oi : null,
        lowerCircuitPaise: q.lower_circuit_limit ? toPaise(q.lower_circuit_limit) : null,
        upperCircuitPaise: q.upper_circuit_limit ? toPaise(q.upper_circuit_limit) : null,
      });
    }
    return out;
  }

  /** The account's net position (+ long, - short) in one contract and product, from GET /portfolio/positions; 0 when absent. */
  async getNetPositionQuantity(k: { exchange: string; tradingsymbol: string; product: string }): Promise<number> {
    const p = (await this.call('getPositions', () => this.kite.getPositions())) as unknown as { net?: { exchange: string; tradingsymbol: string; product: string; quantity: number }[] };
    const row = p?.net?.find((r) => r.exchange === k.exchange && r.tradingsymbol === k.tradingsymbol && r.product === k.product);
    return row ? Number(row.quantity) : 0;
  }

  /** Margin available for new orders in the equity segment (which carries F&O), in paise. */
  async getAvailableMargin(): Promise<number> {
    const m = (await this.call('getMargins', () => this.kite.getMargins('equity'))) as unknown as { net?: number };
    const paise = typeof m?.net === 'number' ? toPaise(m.net.toFixed(2)) : null;
    if (paise === null) throw new BrokerError('unknown', 'DataException', 'the broker answered margins without a net figure');
    return paise;
  }

  /** The broker's margin requirement for this order as it would be placed (POST /margins/orders), in paise. */
  async getOrderMargin(req: OrderRequest, referencePricePaise: number | null): Promise<number> {
    const order = {
      exchange: req.exchange, tradingsymbol: req.tradingsymbol, transaction_type: req.side, variety: req.variety,
      product: req.product, order_type: req.orderType, quantity: req.quantity,
      price: req.pricePaise !== undefined ? paiseToNumber(req.pricePaise) : referencePricePaise !== null ? paiseToNumber(referencePricePaise) : 0,
      trigger_price: req.triggerPricePaise !== undefined ? paiseToNumber(req.triggerPricePaise) : 0,
    };
    const r = (await this.call('orderMargins', () => this.kite.orderMargins([order as never]))) as unknown as { total?: number }[];
    const paise = typeof r?.[0]?.total === 'number' ? toPaise(r[0].total.toFixed(2)) : null;
    if (paise === null) throw new BrokerError('unknown', 'DataException', 'the broker answered the margin request without a total');
    return paise;
  }

  /** The broker order carrying our tag, if the broker has one: how an unknown outcome becomes known. */
  async findOrderByTag(tag: string): Promise<TaggedOrder | null> {
    const orders = (await this.call('getOrders', () => this.kite.getOrders())) as unknown as KiteOrder[];
    // Kite lists the day's orders oldest first: the first under a tag is the order; any other is a duplicate, which
    // the caller reports and the reconciler settles (DUPLICATE_ORDER) — never a reason to refuse the order itself.
    const mine = orders.filter((o) => o.tag === tag || (Array.isArray(o.tags) && o.tags.includes(tag)));
    if (mine.length === 0) return null;
    const found: TaggedOrder = { brokerOrderId: String(mine[0].order_id), status: mine[0].status };
    return mine.length > 1 ? { ...found, duplicates: mine.slice(1).map((o) => String(o.order_id)) } : found;
  }

  /** The account's net positions (GET /portfolio/positions, `net`): quantity, Kite's average price and the last price in paise. */
  async getNetPositions(): Promise<{ tradingsymbol: string; exchange: string; product: string; quantity: number; averagePricePaise: number; lastPricePaise: number }[]> {
    const r = (await this.call('getPositions', () => this.kite.getPositions())) as unknown as { net?: Record<string, unknown>[] };
    return (r?.net ?? []).map((p) => ({
      tradingsymbol: String(p.tradingsymbol), exchange: String(p.exchange), product: String(p.product), quantity: Number(p.quantity),
      averagePricePaise: Math.round(Number(p.average_price ?? 0) * 100), lastPricePaise: Math.round(Number(p.last_price ?? 0) * 100) || 0,
    }));
  }

  /** The day's order book (GET /orders): each order's current status, tag, quantities and prices. */
  async getOrderBook(): Promise<(BookOrder & { tradingsymbol: string; exchange: string; product: string })[]> {
    const orders = (await this.call('getOrders', () => this.kite.getOrders())) as unknown as (KiteOrder & { tradingsymbol: string; exchange: string; product: string })[];
    return orders.map((o) => ({
      brokerOrderId: String(o.order_id), tag: o.tag ?? (Array.isArray(o.tags) ? o.tags[0] ?? null : null), status: o.status,
      tradingsymbol: String(o.tradingsymbol), exchange: String(o.exchange), product: String(o.product), filledQuantity: Number(o.filled_quantity ?? 0),
      quantity: Number(o.quantity ?? 0), averagePrice: Number(o.average_price ?? 0), price: Number(o.price ?? 0), triggerPrice: Number(o.trigger_price ?? 0),
    }));
  }

  /** Current state of one broker order with all its trades. */
  async getOrderSnapshot(brokerOrderId: string): Promise<BrokerOrderSnapshot> {
    const [history, trades] = await Promise.all([
      this.call('getOrderHistory', () => this.kite.getOrderHistory(brokerOrderId)),
      this.call('getOrderTrades', () => this.kite.getOrderTrades(brokerOrderId)),
    ]);
    const last = (history as unknown as KiteOrder[]).at(-1);
    if (!last) throw new BrokerError('unknown', 'DataException', `broker returned no history for ${brokerOrderId}`);
    const fills: Fill[] = (trades as unknown as Record<string, unknown>[]).map((t) => ({
      tradeId: String(t.trade_id),
      quantity: Number(t.quantity),
      pricePaise: toPaise(String(t.average_price ?? t.price)) ?? Math.round(Number(t.average_price) * 100),
      executedAt: parseKiteTimestamp(t.fill_timestamp ?? t.exchange_timestamp ?? t.order_timestamp),
    }));
    return {
      brokerOrderId: String(last.order_id), status: last.status, statusMessage: last.status_message ?? null,
      quantity: Number(last.quantity), filledQuantity: Number(last.filled_quantity ?? 0), pendingQuantity: Number(last.pending_quantity ?? 0),
      cancelledQuantity: Number(last.cancelled_quantity ?? 0), averagePricePaise: Math.round(Number(last.average_price ?? 0) * 100),
      pricePaise: last.price ? Math.round(Number(last.price) * 100) : null,
      triggerPricePaise: last.trigger_price ? Math.round(Number(last.trigger_price) * 100) : null,
      orderType: last.order_type, trades: fills,
    };
  }

  async modifyOrder(variety: string, brokerOrderId: string, changes: ModifyChanges, validity: string, deadlineMs?: number): Promise<void> {
    const params: Record<string, unknown> = { validity };
    if (changes.quantity !== undefined) params.quantity = changes.quantity;
    if (changes.pricePaise !== undefined) params.price = paiseToNumber(changes.pricePaise);
    if (changes.triggerPricePaise !== undefined) params.trigger_price = paiseToNumber(changes.triggerPricePaise);
    if (changes.orderType !== undefined) params.order_type = changes.orderType;
    if (changes.orderType === 'MARKET' || changes.orderType === 'SL-M') params.market_protection = -1; // as when placing
    await this.orderCall('modifyOrder', () => this.kite.modifyOrder(variety as never, brokerOrderId, params as never), deadlineMs);
  }

  async cancelOrder(variety: string, brokerOrderId: string, deadlineMs?: number): Promise<void> {
    await this.orderCall('cancelOrder', () => this.kite.cancelOrder(variety as never, brokerOrderId), deadlineMs);
  }
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
