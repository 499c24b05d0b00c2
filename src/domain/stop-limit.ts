/**
 * Stop exits are SL orders, never SL-M: the exchange blocks SL-M on index and stock options, so a stop carries a limit
 * a protection band beyond its trigger, wide enough to fill in a fast market, bounded so it cannot fill at any price.
 */
import type { Side } from './order-types';

/** The default protection band of a stop exit that names no limit price: 5% beyond the trigger (basis points). */
export const STOP_PROTECTION_BAND_BPS = 500;

/**
 * The SL limit for a stop triggered at `triggerPaise`: `offsetBps` beyond it in the exit's direction (below for a
 * long's sell, above for a short's buy), on the tick, never below one tick. `entrySide` is the position's side.
 */
export function stopLimitPaise(entrySide: Side, triggerPaise: number, offsetBps: number, tickPaise = 5): number {
  // Exact: trigger x (1 -/+ offset) in 1/10000 paise, then to the tick away from the trigger.
  const tick = BigInt(tickPaise) * 10_000n;
  if (entrySide === 'BUY') {
    const scaled = BigInt(triggerPaise) * BigInt(10_000 - offsetBps);
    return Math.max(tickPaise, Number(scaled / tick) * tickPaise);
  }
  const scaled = BigInt(triggerPaise) * BigInt(10_000 + offsetBps);
  return Number((scaled + tick - 1n) / tick) * tickPaise;
}
