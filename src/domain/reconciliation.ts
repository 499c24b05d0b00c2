/**
 * Reconciliation as pure functions: the broker's net positions and tagged orders against the OMS's account book and
 * orders, classified into findings, each with the policy configured for its kind; and the adjustment fill that moves
 * the account book onto the broker's quantity. No I/O, no clock.
 */
import { applyFill, roundHalfUp, type PositionBook, type PositionFill } from './positions';
import { isKiteFinal } from './kite-status';
import { isTerminal, type OrderStatus } from './order-types';

export const POSITION_KINDS = ['UNKNOWN_POSITION', 'QUANTITY_MISMATCH', 'PHANTOM_POSITION'] as const;
export const ORDER_KINDS = ['ORDER_STATUS_MISMATCH', 'UNKNOWN_ORDER'] as const;
export type PositionFindingKind = (typeof POSITION_KINDS)[number];
export type OrderFindingKind = (typeof ORDER_KINDS)[number];
export type FindingKind = PositionFindingKind | OrderFindingKind;

/** `trust-broker`: correct the account book to the broker; `signal-workflow`: wake the order's workflow. */
export type Policy = 'trust-broker' | 'signal-workflow' | 'alert-only';
export type Policies = Record<PositionFindingKind, 'trust-broker' | 'alert-only'> & {
  ORDER_STATUS_MISMATCH: 'signal-workflow' | 'alert-only';
  UNKNOWN_ORDER: 'alert-only';
};
export const DEFAULT_POLICIES: Policies = {
  UNKNOWN_POSITION: 'trust-broker', QUANTITY_MISMATCH: 'trust-broker', PHANTOM_POSITION: 'trust-broker',
  ORDER_STATUS_MISMATCH: 'signal-workflow', UNKNOWN_ORDER: 'alert-only',
};

/** A net position, the broker's or the account book's. Quantity + long, - short; 0 = flat (same as absent). */
export interface NetPosition {
  tradingsymbol: string;
  exchange: string;
  product: string;
  quantity: number;
  /** The broker's average price in paise (absent for the OMS side). */
  averagePricePaise?: number;
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
}

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
      broker: { quantity: bq, averagePricePaise: bp?.averagePricePaise ?? null },
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

/** The instruments of OMS orders that are not terminal: their position findings wait for the orders. */
export function inFlightKeys(orders: readonly InternalOrder[]): Set<string> {
  return new Set(orders.filter((o) => !isTerminal(o.status)).map(positionKey));
}

/**
 * The fill that takes `book` to `targetQuantity`, or null when it is already there. A reduction is priced at the
 * book's own cost (an adjustment is not a trade and should realize nothing); what opens or adds is priced at the
 * broker's average price, so the book adopts the broker's cost basis. No charges.
 */
export function adjustmentFill(book: PositionBook, targetQuantity: number, brokerAveragePaise: number | null, tradeId: string, tradingDay: string): PositionFill | null {
  const diff = targetQuantity - book.quantity;
  if (diff === 0) return null;
  const side = diff > 0 ? 'BUY' : 'SELL';
  const reducesOnly = book.quantity !== 0 && Math.sign(diff) !== Math.sign(book.quantity) && Math.abs(diff) <= Math.abs(book.quantity);
  const costPrice = book.quantity !== 0 ? Number(roundHalfUp(book.openValuePaise, BigInt(Math.abs(book.quantity)))) : null;
  const pricePaise = reducesOnly ? costPrice! : brokerAveragePaise ?? costPrice ?? 0;
  return { tradeId, side, quantity: Math.abs(diff), pricePaise, chargesPaise: 0n, tradingDay };
}

/** The book after the adjustment (unchanged when none is needed). */
export function adjustBook(book: PositionBook, fill: PositionFill | null): PositionBook {
  return fill ? applyFill(book, fill).book : book;
}

/** What a run did about one finding (besides corrections, which the apply decides in its transaction). */
export type Resolution = 'CORRECTED' | 'SIGNALLED' | 'ALERTED' | 'DEFERRED' | 'STALE' | 'WORKFLOW_NOT_RUNNING';

export interface ResolvedFinding extends Finding {
  /** Set by the workflow for order findings (SIGNALLED / WORKFLOW_NOT_RUNNING / ALERTED); positions are decided here. */
  resolution?: Resolution;
  detail?: Record<string, unknown>;
}

export interface RunRecord {
  runId: string;
  startedAt: string;
  counts: { brokerPositions: number; internalPositions: number; brokerOrders: number };
  findings: ResolvedFinding[];
}

export interface AppliedRun { runId: string; alreadyApplied: boolean; findings: number; corrections: number; resolutions: Record<string, number> }
