import type { ChasePolicy, CompletionPolicy } from './execution-ladder';
import type { FallbackOverride } from './fallback';

/** The vocabulary of an order, shared by API, workflows and activities. Plain JSON: it travels through histories. */
import type { Exchange, OrderType, Product, Side, Validity, Variety } from './order-vocabulary';

export { EXCHANGES, ORDER_TYPES, PRODUCTS, SIDES, VALIDITIES, VARIETIES } from './order-vocabulary';
export type { Exchange, OrderType, Product, Side, Validity, Variety } from './order-vocabulary';

/** An order as a strategy asked for it. Prices are integer paise. */
export interface OrderRequest {
  clientOrderId: string;
  strategyId: string;
  tradingsymbol: string;
  exchange: Exchange;
  side: Side;
  quantity: number;
  orderType: OrderType;
  product: Product;
  validity: Validity;
  validityTtlMinutes?: number;
  variety: Variety;
  pricePaise?: number;
  triggerPricePaise?: number;
  stopLossPaise?: number;
  takeProfitPaise?: number;
  disclosedQuantity?: number;
  metadata?: Record<string, unknown>;
  /** Above the freeze quantity (or a configured slice size) the order is placed as up to 10 slices. */
  split?: boolean;
  /** How the order climbs its execution ladder when it does not fill as placed (fallback: this order's override of the strategy's). */
  execution?: { chase?: ChasePolicy; completion?: CompletionPolicy; fallback?: FallbackOverride };
}

/** The facts about a contract that validation needs, from the broker's instrument master. */
export interface Instrument {
  tradingsymbol: string;
  exchange: string;
  instrumentToken: number;
  lotSize: number;
  tickSizePaise: number;
  expiry: string | null; // YYYY-MM-DD
  instrumentType: string;
  /** Underlying name from the dump's `name` column (e.g. BANKNIFTY); absent in older fixtures. */
  name?: string;
  /** Kite segment (e.g. NFO-OPT, NFO-FUT, INDICES). */
  segment?: string;
}

export const ORDER_STATUSES = [
  'RECEIVED', // accepted by the API, not yet validated
  'PENDING', // validated and persisted, not yet at the broker
  'SUBMITTED', // place request sent/accepted, broker has not confirmed it as working
  'OPEN',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
  'FAILED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const TERMINAL_STATUSES: readonly OrderStatus[] = ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'];
/** The statuses of an order still working (the rest are terminal). */
export const LIVE_STATUSES: OrderStatus[] = ORDER_STATUSES.filter((s) => !TERMINAL_STATUSES.includes(s));
export function isTerminal(status: OrderStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** One execution, de-duplicated by the broker's trade id. */
export interface Fill {
  tradeId: string;
  quantity: number;
  pricePaise: number;
  executedAt: string; // ISO-8601
}

/** What the broker says about an order at one moment (order history's last entry plus its trades). */
export interface BrokerOrderSnapshot {
  brokerOrderId: string;
  status: string; // Kite status string, e.g. "OPEN", "TRIGGER PENDING", "COMPLETE"
  statusMessage: string | null;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  cancelledQuantity: number;
  averagePricePaise: number;
  pricePaise: number | null;
  triggerPricePaise: number | null;
  orderType: string;
  trades: Fill[];
}
