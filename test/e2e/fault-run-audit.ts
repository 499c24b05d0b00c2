/**
 * The fault run's verdict: every OMS order against the paper broker's orders under its tag, and the positions of each
 * strategy against the broker's. Pure: it gets what both sides say and returns one line per finding.
 */

export interface OmsOrder {
  orderId: string; clientOrderId: string; strategyId: string; tradingsymbol: string; side: 'BUY' | 'SELL';
  status: string; filledQuantity: number; brokerOrderId: string | null; tag: string | null; intervention: unknown;
}
export interface BrokerOrder {
  order_id: string; tag: string | null; status: string; filled_quantity: number; tradingsymbol: string;
  transaction_type: 'BUY' | 'SELL'; requests?: { place: number; modify: number; cancel: number };
}
/** Net quantity by "strategy|symbol" (the OMS's books) and by symbol (the OMS account book, the broker's net). */
export interface Positions { byStrategy: Map<string, number>; omsAccount: Map<string, number>; broker: Map<string, number> }

export interface Findings { lost: string[]; duplicates: string[]; mismatches: string[]; stuck: string[] }

/** What a broker order's state says of the order as a whole. */
const brokerClass = (status: string): string =>
  (['COMPLETE', 'CANCELLED', 'REJECTED'].includes(status) ? status : 'WORKING');

/** The broker state an OMS status claims: FAILED and broker-less REJECTED claim no broker order at all. */
function omsClass(o: OmsOrder): string {
  switch (o.status) {
    case 'FILLED': return 'COMPLETE';
    case 'CANCELLED': case 'EXPIRED': return 'CANCELLED';
    case 'REJECTED': return o.brokerOrderId ? 'REJECTED' : 'NONE';
    case 'FAILED': return 'NONE';
    case 'SUBMITTED': case 'OPEN': case 'PARTIALLY_FILLED': return 'WORKING';
    default: return 'NONE'; // RECEIVED, PENDING: not at the broker yet
  }
}

const show = (b: BrokerOrder) => `${b.order_id} ${b.status} filled ${b.filled_quantity}${b.requests ? ` (requests place ${b.requests.place}, modify ${b.requests.modify}, cancel ${b.requests.cancel})` : ''}`;
const signed = (side: string, qty: number) => (side === 'SELL' ? -qty : qty);

/** Compares the two books; `accepted` maps each clientOrderId a 2xx answer accepted to its order id. */
export function auditRun(accepted: Map<string, string>, oms: OmsOrder[], broker: BrokerOrder[], positions: Positions): Findings {
  const f: Findings = { lost: [], duplicates: [], mismatches: [], stuck: [] };
  const omsById = new Map(oms.map((o) => [o.orderId, o]));
  const byTag = new Map<string, BrokerOrder[]>();
  for (const b of broker) byTag.set(b.tag ?? '', [...(byTag.get(b.tag ?? '') ?? []), b]);

  for (const [clientOrderId, orderId] of accepted) {
    if (!omsById.has(orderId)) f.lost.push(`${orderId}: accepted (2xx for ${clientOrderId}) but the OMS has no such order`);
  }
  const omsTags = new Set(oms.map((o) => o.tag).filter((t): t is string => Boolean(t)));
  for (const [tag, list] of byTag) {
    if (!omsTags.has(tag)) f.duplicates.push(`broker order(s) under tag "${tag}" that no OMS order has: ${list.map(show).join('; ')}`);
  }
  for (const o of oms) compareOrder(o, o.tag ? byTag.get(o.tag) ?? [] : [], f);
  comparePositions(oms, broker, positions, f);
  return f;
}

function compareOrder(o: OmsOrder, atBroker: BrokerOrder[], f: Findings): void {
  const label = `${o.orderId} (tag ${o.tag ?? '-'}, OMS ${o.status} filled ${o.filledQuantity}${o.brokerOrderId ? `, broker id ${o.brokerOrderId}` : ''})`;
  if (o.intervention) f.stuck.push(`${label}: waits for an operator: ${JSON.stringify(o.intervention)}`);
  if (!['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'].includes(o.status)) f.stuck.push(`${label}: not final at the end of the run`);
  if (atBroker.length > 1) f.duplicates.push(`${label}: ${atBroker.length} broker orders under one tag: ${atBroker.map(show).join('; ')}`);
  const claimed = omsClass(o);
  if (!atBroker.length) {
    if (claimed !== 'NONE') f.mismatches.push(`${label}: the broker has no order under the tag`);
    return;
  }
  const primary = atBroker.find((b) => b.order_id === o.brokerOrderId) ?? atBroker[0];
  if (claimed === 'NONE') {
    // The OMS says nothing reached the broker, but an order it sent is there: the OMS lost track of it.
    if (primary.status !== 'REJECTED') f.lost.push(`${label}: the OMS says it never reached the broker, which holds ${show(primary)}`);
    return;
  }
  if (o.brokerOrderId && !atBroker.some((b) => b.order_id === o.brokerOrderId)) f.mismatches.push(`${label}: its broker order id is not under its tag (${atBroker.map(show).join('; ')})`);
  if (brokerClass(primary.status) !== claimed) f.mismatches.push(`${label}: status differs from the broker's ${show(primary)}`);
  if (primary.filled_quantity !== o.filledQuantity) f.mismatches.push(`${label}: filled quantity differs from the broker's ${show(primary)}`);
}

/** Each strategy's book against the broker's fills under its orders' tags; the account book against the broker's net. */
function comparePositions(oms: OmsOrder[], broker: BrokerOrder[], p: Positions, f: Findings): void {
  const strategyOfTag = new Map(oms.filter((o) => o.tag).map((o) => [o.tag!, o.strategyId]));
  const expected = new Map<string, number>();
  for (const b of broker) {
    const strategy = strategyOfTag.get(b.tag ?? '');
    if (!strategy || !b.filled_quantity) continue;
    const key = `${strategy}|${b.tradingsymbol}`;
    expected.set(key, (expected.get(key) ?? 0) + signed(b.transaction_type, b.filled_quantity));
  }
  for (const key of new Set([...expected.keys(), ...p.byStrategy.keys()])) {
    const want = expected.get(key) ?? 0;
    const got = p.byStrategy.get(key) ?? 0;
    if (want !== got) f.mismatches.push(`position ${key}: OMS ${got}, broker fills under the strategy's tags ${want}`);
  }
  for (const symbol of new Set([...p.broker.keys(), ...p.omsAccount.keys()])) {
    const want = p.broker.get(symbol) ?? 0;
    const got = p.omsAccount.get(symbol) ?? 0;
    if (want !== got) f.mismatches.push(`account position ${symbol}: OMS ${got}, broker net ${want}`);
  }
}
