/**
 * Reconciliation as pure functions: the broker's net positions and tagged orders against the OMS's account book and
 * orders, classified into findings, each with the policy configured for its kind; and the adjustment fill that moves
 * the account book onto the broker's quantity. No I/O, no clock.
 */
import { applyFill, roundHalfUp, type PositionBook, type PositionFill } from './positions';
import { isKiteFinal } from './kite-status';
import { isTerminal, type OrderStatus } from './order-types';

export const POSITION_KINDS = ['UNKNOWN_POSITION', 'QUANTITY_MISMATCH', 'PHANTOM_POSITION'] as const;
export const ORDER_KINDS = ['ORDER_STATUS_MISMATCH', 'UNKNOWN_ORDER', 'DUPLICATE_ORDER'] as const;
export type PositionFindingKind = (typeof POSITION_KINDS)[number];
export type OrderFindingKind = (typeof ORDER_KINDS)[number];
export type FindingKind = PositionFindingKind | OrderFindingKind;

/**
 * `trust-broker`: correct the account book to the broker; `signal-workflow`: wake the order's workflow;
 * `cancel-extra`: cancel what is unfilled of a duplicate broker order and book its fills to the order's strategy.
 */
export type Policy = 'trust-broker' | 'signal-workflow' | 'cancel-extra' | 'alert-only';
export type Policies = Record<PositionFindingKind, 'trust-broker' | 'alert-only'> & {
  ORDER_STATUS_MISMATCH: 'signal-workflow' | 'alert-only';
  UNKNOWN_ORDER: 'alert-only';
  DUPLICATE_ORDER: 'cancel-extra' | 'alert-only';
};
export const DEFAULT_POLICIES: Policies = {
  UNKNOWN_POSITION: 'trust-broker', QUANTITY_MISMATCH: 'trust-broker', PHANTOM_POSITION: 'trust-broker',
  ORDER_STATUS_MISMATCH: 'signal-workflow', UNKNOWN_ORDER: 'alert-only', DUPLICATE_ORDER: 'cancel-extra',
};

/** A net position, the broker's or the account book's. Quantity + long, - short; 0 = flat (same as absent). */
export interface NetPosition {
  tradingsymbol: string;
  exchange: string;
  product: string;
  quantity: number;
  /** The broker's average price in paise (absent for the OMS side). */
  averagePricePaise?: number;
  /** The last price the broker reports with the position, in paise (absent for the OMS side; 0 = none). */
  lastPricePaise?: number;
}

export interface BrokerOrder {
  brokerOrderId: string;
  tag: string | null;
  status: string;
  tradingsymbol: string;
  exchange: string;
  product: string;
  filledQuantity: number;
}

/** An OMS order as the reconciler needs it; `tag` and `brokerOrderId` are its current attempt's. */
export interface InternalOrder {
  orderId: string;
  tag: string;
  brokerOrderId: string | null;
  status: OrderStatus;
  tradingsymbol: string;
  exchange: string;
  product: string;
}

export interface Finding {
  kind: FindingKind;
  /** What the finding is about: "NFO:SYMBOL:NRML" for a position, the broker order id for an order. */
  key: string;
  tradingsymbol: string;
  exchange: string;
  product: string;
  orderId: string | null;
  broker: Record<string, unknown> | null;
  internal: Record<string, unknown> | null;
  policy: Policy;
  /** A position finding in an instrument with OMS orders still working: their fills may not be recorded yet. */
  deferred: boolean;
  /** The price a correction of this position is made at (markPositionFindings); absent or null: none was found. */
  mark?: Mark | null;
}

/** Where a correction's price came from: the broker's position line (`last_price`), else the broker's quote. */
export interface Mark { pricePaise: number; source: 'broker-position' | 'quote' }

export const positionKey = (p: { exchange: string; tradingsymbol: string; product: string }) => `${p.exchange}:${p.tradingsymbol}:${p.product}`;

/** Our Kite tags start with this (brokerTagFor). */
export const OMS_TAG_PREFIX = 'oms';

/**
 * Broker vs account book, per (exchange, tradingsymbol, product). Flat equals absent on both sides. Instruments in
 * `inFlight` (OMS orders not yet terminal) are classified but deferred: correcting them now would count a fill
 * twice once the order's workflow records it.
 */
export function classifyPositions(broker: readonly NetPosition[], internal: readonly NetPosition[], policies: Policies, inFlight: ReadonlySet<string> = new Set()): Finding[] {
  const b = sumByKey(broker);
  const i = sumByKey(internal);
  const findings: Finding[] = [];
  for (const key of [...new Set([...b.keys(), ...i.keys()])].sort()) {
    const bp = b.get(key);
    const ip = i.get(key);
    const bq = bp?.quantity ?? 0;
    const iq = ip?.quantity ?? 0;
    if (bq === iq) continue;
    const kind: PositionFindingKind = iq === 0 ? 'UNKNOWN_POSITION' : bq === 0 ? 'PHANTOM_POSITION' : 'QUANTITY_MISMATCH';
    const p = (bp ?? ip)!;
    findings.push({
      kind, key, tradingsymbol: p.tradingsymbol, exchange: p.exchange, product: p.product, orderId: null,
      broker: { quantity: bq, averagePricePaise: bp?.averagePricePaise ?? null, lastPricePaise: bp?.lastPricePaise || null },
      internal: { quantity: iq },
      policy: policies[kind], deferred: inFlight.has(key),
    });
  }
  return findings;
}

function sumByKey(list: readonly NetPosition[]): Map<string, NetPosition> {
  const out = new Map<string, NetPosition>();
  for (const p of list) {
    const key = positionKey(p);
    const prev = out.get(key);
    out.set(key, prev ? { ...prev, quantity: prev.quantity + p.quantity } : { ...p });
  }
  return out;
}

/**
 * Broker orders carrying our tag vs OMS orders. Matched by the current attempt's tag or broker order id: a broker order
 * that is final while the OMS order is not is an ORDER_STATUS_MISMATCH (its workflow missed the news). A tag of an
 * earlier, refused attempt (`pastTags`) is known and needs nothing. Any other tagged order is an UNKNOWN_ORDER.
 * Untagged and foreign-tagged orders are not ours to judge here: their fills show up as position findings.
 */
export function classifyOrders(broker: readonly BrokerOrder[], internal: readonly InternalOrder[], pastTags: ReadonlySet<string>, policies: Policies): Finding[] {
  const byTag = new Map(internal.map((o) => [o.tag, o]));
  const byBrokerId = new Map(internal.filter((o) => o.brokerOrderId).map((o) => [o.brokerOrderId!, o]));
  // The broker lists orders oldest first; an order not yet placed as far as the OMS knows follows the first under its tag.
  const firstByTag = new Map<string, string>();
  for (const b of broker) if (b.tag && !firstByTag.has(b.tag)) firstByTag.set(b.tag, b.brokerOrderId);
  const findings: Finding[] = [];
  for (const b of broker) {
    if (!b.tag?.startsWith(OMS_TAG_PREFIX)) continue;
    const mine = byTag.get(b.tag) ?? byBrokerId.get(b.brokerOrderId);
    const at = { tradingsymbol: b.tradingsymbol, exchange: b.exchange, product: b.product, key: b.brokerOrderId, deferred: false };
    const brokerView = { brokerOrderId: b.brokerOrderId, tag: b.tag, status: b.status, filledQuantity: b.filledQuantity };
    if (!mine) {
      if (pastTags.has(b.tag)) continue;
      findings.push({ ...at, kind: 'UNKNOWN_ORDER', orderId: null, broker: brokerView, internal: null, policy: policies.UNKNOWN_ORDER });
      continue;
    }
    const follows = mine.brokerOrderId ?? firstByTag.get(b.tag);
    if (b.tag === mine.tag && follows !== b.brokerOrderId) {
      // A second broker order under the order's own tag: the order stays on the one it follows; this one is extra.
      findings.push({
        ...at, kind: 'DUPLICATE_ORDER', orderId: mine.orderId, broker: brokerView,
        internal: { orderId: mine.orderId, status: mine.status, brokerOrderId: follows ?? null }, policy: policies.DUPLICATE_ORDER,
      });
      continue;
    }
    // A broker order of an earlier attempt matched by its id is history; only the current attempt can lag.
    if (mine.brokerOrderId !== null && mine.brokerOrderId !== b.brokerOrderId) continue;
    if (isKiteFinal(b.status) && !isTerminal(mine.status)) {
      findings.push({
        ...at, kind: 'ORDER_STATUS_MISMATCH', orderId: mine.orderId, broker: brokerView,
        internal: { orderId: mine.orderId, status: mine.status, brokerOrderId: mine.brokerOrderId }, policy: policies.ORDER_STATUS_MISMATCH,
      });
    }
  }
  return findings;
}

/**
 * The instruments whose position findings wait: OMS orders not yet terminal (their fills may not be recorded yet), and
 * duplicate broker orders (this run books their fills).
 */
export function inFlightKeys(orders: readonly InternalOrder[], orderFindings: readonly Finding[] = []): Set<string> {
  return new Set([
    ...orders.filter((o) => !isTerminal(o.status)).map(positionKey),
    ...orderFindings.filter((f) => f.kind === 'DUPLICATE_ORDER').map(positionKey),
  ]);
}

/**
 * Each position finding's correction price: the last price on the broker's position line, else the broker's quote
 * (`quotes`, paise by "EXCHANGE:SYMBOL": a phantom has no broker line), else none.
 */
export function markPositionFindings<F extends Finding>(findings: readonly F[], quotes: ReadonlyMap<string, number>): F[] {
  return findings.map((f) => {
    if (!(POSITION_KINDS as readonly string[]).includes(f.kind)) return f;
    const onLine = Number(f.broker?.lastPricePaise ?? 0);
    const quoted = quotes.get(`${f.exchange}:${f.tradingsymbol}`);
    const mark: Mark | null = onLine > 0 ? { pricePaise: onLine, source: 'broker-position' } : quoted ? { pricePaise: quoted, source: 'quote' } : null;
    return { ...f, mark };
  });
}

export type AdjustmentPriceSource = Mark['source'] | 'book-cost' | 'broker-average';

/**
 * The fill that takes `book` to `targetQuantity`, or null when it is already there. No charges. It is priced at the
 * mark (the broker's last price): the books' P&L is the same just before and just after a correction (what the
 * account book removes realizes its mark-to-market, what it adds opens at the market), so a correction never makes a
 * loss vanish or appear, and the same fill in the unattributed book carries the difference from there on. Without a
 * mark: a reduction at the book's own cost (realizes nothing), an opening at the broker's average price.
 */
export function adjustmentFill(
  book: PositionBook, targetQuantity: number, price: { mark: Mark | null; brokerAveragePaise: number | null }, tradeId: string, tradingDay: string,
): (PositionFill & { priceSource: AdjustmentPriceSource }) | null {
  const diff = targetQuantity - book.quantity;
  if (diff === 0) return null;
  const side = diff > 0 ? 'BUY' : 'SELL';
  const fill = { tradeId, side, quantity: Math.abs(diff), chargesPaise: 0n, tradingDay } as const;
  if (price.mark) return { ...fill, pricePaise: price.mark.pricePaise, priceSource: price.mark.source };
  const reducesOnly = book.quantity !== 0 && Math.sign(diff) !== Math.sign(book.quantity) && Math.abs(diff) <= Math.abs(book.quantity);
  const costPrice = book.quantity !== 0 ? Number(roundHalfUp(book.openValuePaise, BigInt(Math.abs(book.quantity)))) : null;
  if (reducesOnly || price.brokerAveragePaise === null) return { ...fill, pricePaise: costPrice ?? 0, priceSource: 'book-cost' };
  return { ...fill, pricePaise: price.brokerAveragePaise, priceSource: 'broker-average' };
}

/** The book after the adjustment (unchanged when none is needed). */
export function adjustBook(book: PositionBook, fill: PositionFill | null): PositionBook {
  return fill ? applyFill(book, fill).book : book;
}

/** What a run did about one finding (besides corrections, which the apply decides in its transaction). */
export type Resolution = 'CORRECTED' | 'SIGNALLED' | 'ALERTED' | 'DEFERRED' | 'STALE' | 'WORKFLOW_NOT_RUNNING' | 'DUPLICATE_SETTLED';

export interface ResolvedFinding extends Finding {
  /** Set by the workflow for order findings (SIGNALLED / WORKFLOW_NOT_RUNNING / ALERTED); positions are decided here. */
  resolution?: Resolution;
  detail?: Record<string, unknown>;
}

export interface RunRecord {
  runId: string;
  /** The broker account reconciled (absent in runs from before accounts: the default one). */
  account?: string;
  startedAt: string;
  counts: { brokerPositions: number; internalPositions: number; brokerOrders: number };
  findings: ResolvedFinding[];
}

export interface AppliedRun { runId: string; alreadyApplied: boolean; findings: number; corrections: number; resolutions: Record<string, number> }
