import type { ExitRole, GroupKind, GroupPosition, GroupStatus } from './order-group';
import type { GroupRequest } from './order-group-legs';
import type { OrderStatus, OrderType, Side } from './order-types';

/** What happened to a group, in order; each is saved with the group and shown by the API. */
export const GROUP_EPISODES = [
  'GROUP_STARTED',
  'LEG_STARTED', // a leg's order workflow was started (entry, target, stop, flatten-N)
  'EXITS_PLACED', // a bracket's exits, sized to the entry's first fill
  'EXIT_RESIZED', // an exit's quantity follows the open position (entry fills, the other exit's partial fills)
  'RESIZE_REFUSED', // the leg or the broker refused a resize (e.g. it filled meanwhile); re-planned on the next update
  'OCO_TRIGGERED', // an exit filled completely: the trade is over
  'LEG_CANCEL_REQUESTED',
  'EXCESS_DETECTED', // the exits filled more than the position (both OCO legs filled before the cancel landed)
  'FLATTEN_PLACED', // a reduce-only MARKET order of exactly the excess (or a late entry fill after the trade ended)
  'GROUP_CANCELLED', // cancel requested through the API / cancelGroupUpdate
  'GROUP_FINISHED',
] as const;
export type GroupEpisodeType = (typeof GROUP_EPISODES)[number];

export interface GroupEpisode {
  sequence: number;
  type: GroupEpisodeType;
  at: string;
  detail: Record<string, unknown>;
}

/** One leg as the group last saw it. */
export interface GroupLeg {
  role: string;
  orderId: string;
  side: Side;
  orderType: OrderType;
  status: OrderStatus;
  quantity: number;
  filledQuantity: number;
  averagePrice: string | null;
  brokerOrderId: string | null;
}

/** The group workflow's state: plain JSON, returned by groupStateQuery and saved to order_groups. */
export interface OrderGroupState {
  groupId: string;
  kind: GroupKind;
  request: GroupRequest;
  payloadHash: string;
  status: GroupStatus;
  statusMessage: string | null;
  legs: GroupLeg[];
  position: GroupPosition;
  triggeredBy: ExitRole | null;
  cancelRequested: boolean;
  excessRecorded: number;
  refusedResizes: Record<string, number>;
  episodes: GroupEpisode[];
  createdAt: string;
  updatedAt: string;
}

/** What the cancel update answers (and the CLI prints): the group at a glance; the whole state is the query's. */
export interface GroupAnswer {
  groupId: string;
  kind: GroupKind;
  status: GroupStatus;
  statusMessage: string | null;
  triggeredBy: ExitRole | null;
  cancelRequested: boolean;
  position: GroupPosition;
  legs: Pick<GroupLeg, 'role' | 'orderId' | 'status' | 'quantity' | 'filledQuantity'>[];
  updatedAt: string;
}

export function groupAnswer(s: OrderGroupState): GroupAnswer {
  return {
    groupId: s.groupId, kind: s.kind, status: s.status, statusMessage: s.statusMessage, triggeredBy: s.triggeredBy, cancelRequested: s.cancelRequested,
    position: s.position, legs: s.legs.map((l) => ({ role: l.role, orderId: l.orderId, status: l.status, quantity: l.quantity, filledQuantity: l.filledQuantity })),
    updatedAt: s.updatedAt,
  };
}

export function initialGroupState(a: { groupId: string; request: GroupRequest; payloadHash: string; at: string }): OrderGroupState {
  const r = a.request;
  return {
    groupId: a.groupId, kind: r.kind, request: r, payloadHash: a.payloadHash, status: 'ACTIVE', statusMessage: null, legs: [],
    position: { base: r.kind === 'oco' ? r.quantity : 0, exitsFilled: 0, flattenNet: 0, open: r.kind === 'oco' ? r.quantity : 0 },
    triggeredBy: null, cancelRequested: false, excessRecorded: 0, refusedResizes: {},
    episodes: [{ sequence: 1, type: 'GROUP_STARTED', at: a.at, detail: { kind: r.kind, side: r.side, quantity: r.quantity } }],
    createdAt: a.at, updatedAt: a.at,
  };
}

/** The state with one more episode. */
export function withEpisode(s: OrderGroupState, type: GroupEpisodeType, detail: Record<string, unknown>, at: string): OrderGroupState {
  return { ...s, updatedAt: at, episodes: [...s.episodes, { sequence: s.episodes.length + 1, type, at, detail }] };
}
