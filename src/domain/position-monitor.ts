/**
 * The position monitor's rules as data + pure functions: when a watched price closes a position, when the MIS
 * square-off and the position timeout fall due, how much an exit may close, and the orders it places. Time is an
 * argument (epoch ms); prices are integer paise.
 */
import { opposite } from './order-group';
import type { GroupRequest } from './order-group-legs';
import type { OrderRequest, Side } from './order-types';
import { stopLimitPaise } from './stop-limit';

export const MONITOR_MODES = ['oco', 'watch'] as const;
/** `oco`: target and stop rest at the broker as an OCO group; `watch`: the OMS polls the LTP and exits at MARKET. */
export type MonitorMode = (typeof MONITOR_MODES)[number];

/** A strategy's monitor settings, resolved when the monitor starts (they travel in its input: a running monitor never changes). */
export interface MonitorPolicy {
  mode: MonitorMode;
  /** LTP polls of a watched position. */
  pricePollMs: number;
  /** Polls of the entry order until it is final: from min, doubling while nothing changes, up to max. */
  entryPollMinMs: number;
  entryPollMaxMs: number;
  /** Close the position this long after it opened; null = never. */
  timeoutMs: number | null;
  /** "HH:MM" IST: the intraday square-off of this product (MIS); null = none. */
  squareOffAt: string | null;
  /** Exit orders placed for one close before the monitor gives up and ends ENDED_OPEN. */
  maxExitAttempts: number;
  /**
   * The OCO stop leg is an SL order whose limit is this far beyond its trigger (basis points), so it still fills in a
   * fast market; null (policies recorded before it was required) = the group's default protection band.
   */
  stopLimitOffsetBps?: number | null;
}

/** The simulated (paper) exchange session, as far as the intraday square-off is concerned. */
export interface SquareOffSession {
  /** The paper session never closes: there is no end of day to square off before. */
  alwaysOpen: boolean;
  /** "HH:MM" IST: the paper session's own square-off time; it wins over the configured one (null/absent: none set). */
  squareOffTime?: string | null;
}

/**
 * The square-off time of a product that is squared off (`configured`, "HH:MM" IST; null = none). Live: the configured
 * time. In paper mode the simulated session decides: its own square-off time if it sets one; none if it never closes
 * (an always-open session has no end of day); else the configured time.
 */
export function sessionSquareOff(configured: string | null, session?: SquareOffSession): string | null {
  if (configured === null || session === undefined) return configured;
  if (session.squareOffTime) return session.squareOffTime;
  return session.alwaysOpen ? null : configured;
}

export type CloseReason = 'target' | 'stop' | 'timeout' | 'square-off';

export const MONITOR_STATUSES = [
  'WAITING_FOR_ENTRY', // the entry order is still working
  'OCO_PLACED', // the OCO group (target + stop) rests at the broker
  'WATCHING', // the OMS polls the price (or only waits for the square-off / timeout)
  'CLOSING', // an exit order is working
  'CLOSED', // the monitor's exit closed the position
  'CLOSED_BY_OCO', // the OCO's target or stop closed it
  'CLOSED_ELSEWHERE', // there was nothing left to close (closed by hand or by another order)
  'ENTRY_NOT_FILLED', // the entry ended without a fill
  'CANCELLED', // an operator stopped the monitor; the position stays as it is
  'ENDED_OPEN', // exits did not close it (rejected, unfilled) or the OCO ended open with nothing left to wait for
] as const;
export type MonitorStatus = (typeof MONITOR_STATUSES)[number];
export const FINAL_MONITOR_STATUSES: readonly MonitorStatus[] = ['CLOSED', 'CLOSED_BY_OCO', 'CLOSED_ELSEWHERE', 'ENTRY_NOT_FILLED', 'CANCELLED', 'ENDED_OPEN'];
export const isFinalMonitorStatus = (s: MonitorStatus): boolean => FINAL_MONITOR_STATUSES.includes(s);

export interface MonitorEpisode { type: string; at: string; detail: Record<string, unknown> }

export interface PositionMonitorState {
  monitorId: string;
  entryOrderId: string;
  entry: OrderRequest;
  policy: MonitorPolicy;
  status: MonitorStatus;
  /** `watch` also when OCO mode lacks one of the two levels; `deadlines` once only square-off/timeout are left. */
  watching: 'oco' | 'watch' | 'deadlines';
  entryStatus: string | null;
  entryFilled: number;
  /** What the monitor still holds of the position (entry side); never more than the entry filled. */
  openQuantity: number;
  openedAt: string | null;
  /** Epoch ms of the MIS square-off and of the position timeout; null when they do not apply. */
  squareOffDueMs: number | null;
  timeoutDueMs: number | null;
  groupId: string | null;
  exits: { orderId: string; quantity: number; filledQuantity: number; status: string }[];
  lastPricePaise: number | null;
  closeReason: CloseReason | null;
  cancelRequested: boolean;
  episodes: MonitorEpisode[];
  createdAt: string;
  updatedAt: string;
}

/** What the cancel update answers (and the CLI prints): the monitor at a glance; the whole state is the query's. */
export type MonitorAnswer = Pick<PositionMonitorState, 'monitorId' | 'entryOrderId' | 'status' | 'watching' | 'openQuantity' | 'groupId' | 'closeReason' | 'cancelRequested' | 'updatedAt'>;

export function monitorAnswer(s: PositionMonitorState): MonitorAnswer {
  return {
    monitorId: s.monitorId, entryOrderId: s.entryOrderId, status: s.status, watching: s.watching, openQuantity: s.openQuantity, groupId: s.groupId,
    closeReason: s.closeReason, cancelRequested: s.cancelRequested, updatedAt: s.updatedAt,
  };
}

type Deadlines = Pick<PositionMonitorState, 'squareOffDueMs' | 'timeoutDueMs'>;

export const monitorIdFor = (clientOrderId: string) => `monitor-${clientOrderId}`;
export const monitorGroupClientId = (clientOrderId: string) => `${clientOrderId}-oco`;
export const exitClientId = (clientOrderId: string, attempt: number) => `${clientOrderId}-exit-${attempt}`;

const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

/** The instant of "HH:MM" IST on the IST date of `nowMs` (may lie before `nowMs`: then it is due at once). */
export function squareOffInstantMs(nowMs: number, hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`not an HH:MM time: ${hhmm}`);
  const istMidnight = Math.floor((nowMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
  return istMidnight + (Number(m[1]) * 60 + Number(m[2])) * 60_000;
}

/** Whether `ltp` has crossed the take profit or the stop loss of a position opened by `side`. The stop wins a tie. */
export function priceExit(side: Side, levels: { takeProfitPaise?: number; stopLossPaise?: number }, ltpPaise: number | null): 'target' | 'stop' | null {
  if (ltpPaise === null) return null;
  const long = side === 'BUY';
  const sl = levels.stopLossPaise;
  const tp = levels.takeProfitPaise;
  if (sl !== undefined && (long ? ltpPaise <= sl : ltpPaise >= sl)) return 'stop';
  if (tp !== undefined && (long ? ltpPaise >= tp : ltpPaise <= tp)) return 'target';
  return null;
}

/** The earliest deadline that is due at `nowMs`, square-off first; null while none is. */
export function dueDeadline(nowMs: number, s: Deadlines): 'square-off' | 'timeout' | null {
  if (s.squareOffDueMs !== null && s.squareOffDueMs <= nowMs) return 'square-off';
  if (s.timeoutDueMs !== null && s.timeoutDueMs <= nowMs) return 'timeout';
  return null;
}

/** Milliseconds until the next deadline (0 when one is due), or null when there is none. */
export function msToDeadline(nowMs: number, s: Deadlines): number | null {
  const due = [s.squareOffDueMs, s.timeoutDueMs].filter((d): d is number => d !== null).map((d) => d - nowMs);
  return due.length ? Math.max(0, Math.min(...due)) : null;
}

/** The deadlines of a position opened at `openedMs` under `policy`. */
export function deadlinesFor(openedMs: number, policy: MonitorPolicy): Deadlines {
  return {
    squareOffDueMs: policy.squareOffAt === null ? null : squareOffInstantMs(openedMs, policy.squareOffAt),
    timeoutDueMs: policy.timeoutMs === null ? null : openedMs + policy.timeoutMs,
  };
}

/**
 * How much an exit may close: what the monitor holds, but never more than the strategy's book or the broker's
 * account position still hold on the entry's side (either may have been reduced by hand). `broker` null = unknown.
 */
export function closableQuantity(side: Side, held: number, strategyQuantity: number, brokerQuantity: number | null): number {
  const onSide = (q: number) => Math.max(0, side === 'BUY' ? q : -q);
  return Math.max(0, Math.min(held, onSide(strategyQuantity), brokerQuantity === null ? Infinity : onSide(brokerQuantity)));
}

/** A reduce-only MARKET exit of `quantity` (the position's opposite side), attempt `attempt` of one close. */
export function exitOrderRequest(entry: OrderRequest, attempt: number, quantity: number, reason: CloseReason, monitorId: string): OrderRequest {
  return {
    clientOrderId: exitClientId(entry.clientOrderId, attempt), strategyId: entry.strategyId, tradingsymbol: entry.tradingsymbol, exchange: entry.exchange,
    side: opposite(entry.side), quantity, orderType: 'MARKET', product: entry.product, validity: 'DAY', variety: 'regular',
    metadata: { monitor: monitorId, closeReason: reason, reduceOnly: true },
  };
}

/** The OCO group that holds the entry's take profit (LIMIT) and stop loss (SL; without an offset the group's default band) for `quantity`. */
export function ocoGroupRequest(entry: OrderRequest, quantity: number, monitorId: string, stopLimitOffsetBps: number | null = null): GroupRequest | null {
  if (entry.takeProfitPaise === undefined || entry.stopLossPaise === undefined) return null;
  const stopPrice = stopLimitOffsetBps === null ? {} : { stopPricePaise: stopLimitPaise(entry.side, entry.stopLossPaise, stopLimitOffsetBps) };
  return {
    kind: 'oco', clientOrderId: monitorGroupClientId(entry.clientOrderId), strategyId: entry.strategyId, tradingsymbol: entry.tradingsymbol,
    exchange: entry.exchange, product: entry.product, variety: 'regular', side: entry.side, quantity,
    exits: { targetPricePaise: entry.takeProfitPaise, stopTriggerPaise: entry.stopLossPaise, ...stopPrice }, metadata: { monitor: monitorId },
  };
}

export function initialMonitorState(a: { monitorId: string; entryOrderId: string; entry: OrderRequest; policy: MonitorPolicy; at: string }): PositionMonitorState {
  const bothLevels = a.entry.takeProfitPaise !== undefined && a.entry.stopLossPaise !== undefined;
  const anyLevel = a.entry.takeProfitPaise !== undefined || a.entry.stopLossPaise !== undefined;
  return {
    monitorId: a.monitorId, entryOrderId: a.entryOrderId, entry: a.entry, policy: a.policy, status: 'WAITING_FOR_ENTRY',
    watching: !anyLevel ? 'deadlines' : a.policy.mode === 'oco' && bothLevels ? 'oco' : 'watch',
    entryStatus: null, entryFilled: 0, openQuantity: 0, openedAt: null, squareOffDueMs: null, timeoutDueMs: null, groupId: null, exits: [],
    lastPricePaise: null, closeReason: null, cancelRequested: false, episodes: [{ type: 'MONITOR_STARTED', at: a.at, detail: {} }], createdAt: a.at, updatedAt: a.at,
  };
}

export function withMonitorEpisode(s: PositionMonitorState, type: string, detail: Record<string, unknown>, at: string): PositionMonitorState {
  return { ...s, episodes: [...s.episodes, { type, at, detail }], updatedAt: at };
}
