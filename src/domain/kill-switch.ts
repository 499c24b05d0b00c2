/**
 * The kill switch as pure data and functions: when today's loss breaches the limit, when a halt ends by itself (the
 * next IST trading day), and whether an order may pass while halted. No clock: every time is an argument.
 */
import { civilFromDays, istClock } from './risk/ist-clock';
import { paiseString } from './positions';

export type KillSwitchStatus = 'ACTIVE' | 'HALTED';
/** Who moved the switch: an operator by API or Temporal signal, the scheduled loss check, or the calendar. */
export type KillSwitchSource = 'api' | 'temporal-signal' | 'daily-loss-check' | 'next-trading-day';

export interface KillSwitchState {
  account: string;
  status: KillSwitchStatus;
  reason: string | null;
  source: KillSwitchSource | null;
  by: string | null;
  /** Epoch ms of the last engage (kept after a release for the record). */
  engagedAtMs: number | null;
  /** Epoch ms at which a halt ends by itself (null: only an operator releases it). */
  resetAtMs: number | null;
  releasedAtMs: number | null;
  /** Identifies one engagement: event rows and flatten orders are keyed by it, so a retry writes nothing twice. */
  engagementId: string | null;
}

export const activeKillSwitch = (account: string): KillSwitchState => ({
  account, status: 'ACTIVE', reason: null, source: null, by: null, engagedAtMs: null, resetAtMs: null, releasedAtMs: null, engagementId: null,
});

/** Halted at `nowMs`: engaged and not yet past its reset time. */
export function isHalted(state: Pick<KillSwitchState, 'status' | 'resetAtMs'> | null | undefined, nowMs: number): boolean {
  if (!state || state.status !== 'HALTED') return false;
  return state.resetAtMs === null || nowMs < state.resetAtMs;
}

export interface DailyLossCheck {
  breached: boolean;
  /** Today's net P&L (realized + unrealized - charges), rupees. */
  netPnl: string;
  /** The configured maximum loss, rupees; null = no limit configured (never breached). */
  limit: string | null;
  message: string;
}

/**
 * Today's net P&L against the daily loss limit. Reaching the limit exactly is a breach (as in the gate's
 * daily_loss_limit rule: the limit is the loss at which trading stops).
 */
export function dailyLossBreach(netPaise: bigint, maxLossPaise: bigint | null): DailyLossCheck {
  const netPnl = paiseString(netPaise);
  if (maxLossPaise === null) return { breached: false, netPnl, limit: null, message: 'no daily loss limit configured' };
  const limit = paiseString(maxLossPaise);
  const breached = -netPaise >= maxLossPaise;
  return {
    breached, netPnl, limit,
    message: breached ? `today's net P&L ${netPnl} has reached the daily loss limit ${limit}` : `today's net P&L ${netPnl} is within the daily loss limit ${limit}`,
  };
}

const MS_PER_DAY = 86_400_000;
const IST_OFFSET_MS = 330 * 60_000;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const dateOfDays = (days: number) => {
  const { year, month, day } = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
};

/** A trading day: Monday to Friday and not an exchange holiday. */
export function isTradingDay(days: number, holidays: ReadonlySet<string>): boolean {
  const weekday = (((days + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6 && !holidays.has(dateOfDays(days));
}

/**
 * The start (00:00 IST, epoch ms) of the first trading day after the IST date of `nowMs`: a halt on Friday ends at
 * Monday 00:00 IST, or Tuesday when Monday is a holiday. Bounded so a calendar listing every day cannot loop forever.
 */
export function nextTradingDayStartMs(nowMs: number, holidays: readonly string[]): number {
  const set = new Set(holidays);
  const today = Math.floor((nowMs + IST_OFFSET_MS) / MS_PER_DAY);
  for (let d = today + 1; d <= today + 366; d++) {
    if (isTradingDay(d, set)) return d * MS_PER_DAY - IST_OFFSET_MS;
  }
  return (today + 1) * MS_PER_DAY - IST_OFFSET_MS;
}

export interface EngageArgs {
  account: string;
  reason: string;
  source: KillSwitchSource;
  by: string;
  nowMs: number;
  engagementId: string;
  /** Reset at the next trading day (configuration `killSwitch.resetAtNextTradingDay`). */
  resetAtNextTradingDay: boolean;
  holidays: readonly string[];
}

/** The state after an engage; an engage while already halted keeps the halt as it was (changed: false). */
export function engage(current: KillSwitchState, a: EngageArgs): { state: KillSwitchState; changed: boolean } {
  if (isHalted(current, a.nowMs)) return { state: current, changed: false };
  return {
    changed: true,
    state: {
      account: a.account, status: 'HALTED', reason: a.reason, source: a.source, by: a.by, engagedAtMs: a.nowMs, releasedAtMs: null,
      resetAtMs: a.resetAtNextTradingDay ? nextTradingDayStartMs(a.nowMs, a.holidays) : null,
      engagementId: a.engagementId,
    },
  };
}

/** The state after a release (by an operator or by the calendar); releasing an active switch changes nothing. */
export function release(current: KillSwitchState, a: { reason: string; source: KillSwitchSource; by: string; nowMs: number }): { state: KillSwitchState; changed: boolean } {
  if (current.status !== 'HALTED') return { state: current, changed: false };
  return {
    changed: true,
    state: { ...current, status: 'ACTIVE', reason: a.reason, source: a.source, by: a.by, releasedAtMs: a.nowMs, resetAtMs: null },
  };
}

/** "2026-11-24" of an instant. */
export const istDateOf = (ms: number) => istClock(ms).date;

/**
 * An operator released the switch today (IST): the scheduled loss check leaves it alone until the next trading day,
 * so a deliberate release is not undone 15 seconds later. The gate's daily_loss_limit rule still refuses new risk
 * while the loss is past the limit; an operator can always engage again.
 */
export function releasedByOperatorToday(state: KillSwitchState, nowMs: number): boolean {
  return state.status === 'ACTIVE' && state.releasedAtMs !== null && (state.source === 'api' || state.source === 'temporal-signal')
    && istDateOf(state.releasedAtMs) === istDateOf(nowMs);
}
