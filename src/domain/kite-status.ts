import type { OrderStatus, Validity } from './order-types';

const PRE_OPEN = ['PUT ORDER REQ RECEIVED', 'VALIDATION PENDING', 'OPEN PENDING', 'AMO REQ RECEIVED'];
const WORKING = ['OPEN', 'TRIGGER PENDING', 'MODIFY VALIDATION PENDING', 'MODIFY PENDING', 'MODIFIED', 'NOT MODIFIED', 'CANCEL PENDING'];

/** Kite's final statuses: nothing changes after them. */
export function isKiteFinal(status: string): boolean {
  return status === 'COMPLETE' || status === 'CANCELLED' || status === 'REJECTED';
}

/**
 * Maps a Kite status onto the OMS lifecycle. A cancellation the OMS did not ask for on an IOC/TTL order, or one
 * whose message speaks of expiry, is EXPIRED; any other is CANCELLED. Returns null for statuses it does not know,
 * so the caller keeps what it had instead of guessing.
 */
export function mapKiteStatus(kite: string, ctx: { filledQuantity: number; cancelRequested: boolean; validity: Validity; message: string | null }): OrderStatus | null {
  const status = kite.toUpperCase();
  if (status === 'COMPLETE') return 'FILLED';
  if (status === 'REJECTED') return 'REJECTED';
  if (status === 'CANCELLED' || status === 'CANCELED') {
    if (ctx.cancelRequested) return 'CANCELLED';
    const expired = ctx.validity !== 'DAY' || /expir/i.test(ctx.message ?? '');
    return expired ? 'EXPIRED' : 'CANCELLED';
  }
  if (WORKING.includes(status)) return ctx.filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'OPEN';
  if (PRE_OPEN.includes(status)) return ctx.filledQuantity > 0 ? 'PARTIALLY_FILLED' : 'SUBMITTED';
  return null;
}

const RANK: Record<OrderStatus, number> = {
  RECEIVED: 0, PENDING: 1, SUBMITTED: 2, OPEN: 3, PARTIALLY_FILLED: 4,
  FILLED: 5, CANCELLED: 5, REJECTED: 5, EXPIRED: 5, FAILED: 5,
};

/** Broker updates arrive out of order (postback and poll race): a status never moves backwards. */
export function isForward(from: OrderStatus, to: OrderStatus): boolean {
  return RANK[to] > RANK[from];
}
