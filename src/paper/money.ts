/**
 * Money and prices are integer paise internally; rupees (numbers) exist only at the HTTP edge.
 * Tick sizes are paise too (0.05 -> 5).
 */

/** Parses a rupee amount to paise, or null when it has more than two decimals / is not finite. */
export function rupeesToPaise(rupees: number): number | null {
  if (!Number.isFinite(rupees)) return null;
  const paise = Math.round(rupees * 100);
  return Math.abs(paise - rupees * 100) < 1e-6 ? paise : null;
}

/** Paise to a rupee number for JSON output (single rounding at the edge). */
export function paiseToRupees(paise: number): number {
  return Math.round(paise) / 100;
}

export function isOnTick(paise: number, tickPaise: number): boolean {
  return tickPaise <= 0 || paise % tickPaise === 0;
}

export function roundToTick(paise: number, tickPaise: number): number {
  return Math.round(paise / tickPaise) * tickPaise;
}

/** Applies a rate given in basis-points-of-a-percent style (e.g. 0.0003503) and rounds to paise. */
export function applyRate(paise: number, rate: number): number {
  return Math.round(paise * rate);
}
