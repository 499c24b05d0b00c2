import { paiseToRupees } from '../domain/money';
import { groupPosition, type ExitRole, type GroupStatus } from '../domain/order-group';
import type { GroupRequest } from '../domain/order-group-legs';
import type { GroupEpisode, GroupLeg, OrderGroupState } from '../domain/order-group-state';
import type { OrderGroupStore } from '../store/order-group-store';

type StoredGroup = NonNullable<Awaited<ReturnType<OrderGroupStore['getGroup']>>>;

/** The group as the API shows it: terms in rupees, each leg's order id (GET /api/v1/orders/<id>), position and episodes. */
export function groupView(s: OrderGroupState, source: 'workflow' | 'database') {
  const r = s.request;
  const x = r.exits;
  return {
    groupId: s.groupId, clientOrderId: r.clientOrderId, type: r.kind, strategyId: r.strategyId, tradingsymbol: r.tradingsymbol, exchange: r.exchange,
    product: r.product, side: r.side, quantity: r.quantity,
    ...(r.entry ? { entry: { orderType: r.entry.orderType, price: r.entry.pricePaise === undefined ? null : paiseToRupees(r.entry.pricePaise) } } : {}),
    exits: { targetPrice: paiseToRupees(x.targetPricePaise), stopTriggerPrice: paiseToRupees(x.stopTriggerPaise), stopPrice: x.stopPricePaise === undefined ? null : paiseToRupees(x.stopPricePaise) },
    status: s.status, statusMessage: s.statusMessage, triggeredBy: s.triggeredBy, cancelRequested: s.cancelRequested,
    position: s.position, legs: s.legs, episodes: s.episodes, createdAt: s.createdAt, updatedAt: s.updatedAt, source,
  };
}
export type GroupView = ReturnType<typeof groupView>;

/** The state a finished group left in Postgres (position and trigger re-derived from its legs and episodes). */
export function stateFromRow(row: StoredGroup): OrderGroupState {
  const request = row.request as unknown as GroupRequest;
  const legs = row.legs as unknown as GroupLeg[];
  const episodes = row.episodes as unknown as GroupEpisode[];
  const fact = (role: string) => {
    const l = legs.find((x) => x.role === role);
    return l && { orderId: l.orderId, side: l.side, status: l.status, quantity: l.quantity, filledQuantity: l.filledQuantity, atBroker: true, busy: false, cancelRequested: false, lastFillAt: null };
  };
  const position = groupPosition({
    kind: request.kind, positionSide: request.side, positionQuantity: request.quantity, entry: fact('entry'), target: fact('target'), stop: fact('stop'),
    flattens: legs.filter((l) => l.role.startsWith('flatten-')).map((l) => fact(l.role)!),
  });
  const triggered = episodes.find((e) => e.type === 'OCO_TRIGGERED')?.detail.by as ExitRole | undefined;
  return {
    groupId: row.id, kind: request.kind, request, payloadHash: row.payloadHash, status: row.status as GroupStatus, statusMessage: row.statusMessage,
    legs, position, triggeredBy: triggered ?? null, cancelRequested: episodes.some((e) => e.type === 'GROUP_CANCELLED'),
    excessRecorded: episodes.filter((e) => e.type === 'EXCESS_DETECTED').reduce((n, e) => n + Number(e.detail.quantity), 0), refusedResizes: {},
    episodes, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
  };
}
