/**
 * The risk engine's vocabulary. Everything here is plain JSON: the inputs are gathered by an activity (market data,
 * the account's book, the resolved limits), the rules are pure functions of them, and the report travels through the
 * workflow history, order_events and orders.validation_result.
 *
 * Units: prices and money in integer paise; percentages in basis points (1% = 100 bps) so boundaries compare exactly;
 * quantities in units (not lots) unless a name says lots; times in epoch milliseconds.
 */
import type { Instrument, OrderRequest } from '../order-types';

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export const RISK_CATEGORIES = [
  'parameters', 'instrument', 'market_hours', 'price', 'market_conditions', 'size', 'risk_per_trade', 'exposure',
  'daily_limits', 'margin', 'lists',
] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

/** One named check's outcome: what was compared, against which limit, and why it passed, failed or was skipped. */
export interface RiskCheckResult {
  check: string;
  category: RiskCategory;
  status: CheckStatus;
  /** status !== 'failed' (kept so every report reads the same as the spine's basic validation). */
  passed: boolean;
  /** Machine-readable reason on failure (e.g. PRICE_OUTSIDE_BAND, FREEZE_QTY, STALE_MARKET_DATA). */
  code?: string;
  /** Human reason: why it failed, or why it was skipped. */
  message?: string;
  /** The values compared, money as rupee strings ("123.45"), percentages as strings ("1.25%"). */
  values?: Record<string, unknown>;
  /** The configured limit the values were compared against (same units as values). */
  limit?: unknown;
  /** Passed but worth an operator's attention (watch list). */
  flagged?: boolean;
}

/** IST trading session: the exchange calendar the market-hours rule checks against. */
export interface SessionCalendar {
  /** Paper broker sessions may be always open; a live calendar never is. */
  alwaysOpen: boolean;
  open: string; // "HH:MM" IST
  close: string; // "HH:MM" IST
  holidays: string[]; // "YYYY-MM-DD" IST dates
  /** Paper only: the simulated session's MIS square-off time, when it sets one ("HH:MM" IST). */
  squareOffTime?: string | null;
}

/** The part of a Kite full quote the rules read; null fields were absent in the broker's answer. */
export interface MarketQuote {
  lastPricePaise: number;
  bestBidPaise: number | null;
  bestAskPaise: number | null;
  volume: number | null;
  openInterest: number | null;
  lowerCircuitPaise: number | null;
  upperCircuitPaise: number | null;
  /** When the OMS received this quote from the broker (epoch ms). */
  receivedAtMs: number;
}

/** Net position in one contract (the account position book, reconciliation included; signed: + long, - short). */
export interface HeldPosition {
  tradingsymbol: string;
  exchange: string;
  /** Underlying name from the instrument master (e.g. BANKNIFTY), for concentration. */
  underlying: string;
  netQuantity: number;
  /** For exposure valuation; null when no quote was available. */
  lastPricePaise: number | null;
}

/** A live order that passed the gate and has not ended: it reserves its unfilled remainder. */
export interface PendingOrder {
  orderId: string;
  strategyId: string;
  tradingsymbol: string;
  exchange: string;
  underlying: string;
  side: 'BUY' | 'SELL';
  remainingQuantity: number;
  /** The order's limit price, or the LTP when it was admitted for a market order. */
  referencePricePaise: number;
  /** Margin reserved at admission while the broker may not block it yet (0 once the broker shows the order working). */
  reservedMarginPaise: number;
}

/** Today's activity (IST trading day) of the account. */
export interface DayActivity {
  /** Orders that passed the gate today. */
  orderCount: number;
  /** Traded value today plus the unfilled value of live orders. */
  turnoverPaise: number;
  /** Realized + unrealized today before charges: the account book's day P&L (dayPnl, the figure /pnl shows). */
  grossPnlPaise: number;
  chargesPaise: number;
}

/** The strategy's recent admitted orders, for the fat-finger rule (most recent first). */
export interface RecentOrders {
  quantities: number[];
  valuesPaise: number[];
}

/** Everything the account-level rules need, read in one consistent snapshot under the account's lock. */
export interface AccountSnapshot {
  positions: HeldPosition[];
  pending: PendingOrder[];
  day: DayActivity;
  recent: RecentOrders;
  /** Broker's available margin (equity segment net); null when the broker did not answer. */
  availableMarginPaise: number | null;
  /** The account's kill switch as persisted (absent: never engaged). */
  killSwitch?: { status: 'ACTIVE' | 'HALTED'; reason: string | null; resetAtMs: number | null; engagedAt: string | null; resetAt: string | null } | null;
}

/** Limits resolved for one strategy (global defaults merged with its override). null/absent = not configured -> skipped. */
export interface RiskLimits {
  capitalPaise: number;
  parameters: {
    /** TTL validity bounds in minutes (Kite: 1..1440). */
    maxTtlMinutes: number;
    /** Minimum disclosed quantity as bps of the order quantity (Kite/NSE: 10%). */
    minDisclosedBps: number;
  };
  instrument: {
    /** Freeze quantity (units) per underlying name; above it an order must ask to be split. */
    freezeQuantities: Record<string, number>;
  };
  marketHours: {
    enabled: boolean;
    /** Live calendar (paper mode uses the paper broker's session instead). */
    session: SessionCalendar;
  };
  price: {
    /** LIMIT/SL price and trigger within +/- this many bps of LTP. */
    bandBps: number | null;
    minPricePaise: number | null;
    maxPricePaise: number | null;
    /** Reject prices outside the exchange circuit limits when the quote carries them. */
    circuitLimits: boolean;
  };
  marketConditions: {
    maxSpreadBps: number | null; // (ask - bid) / mid
    minVolume: number | null;
    minOpenInterest: number | null;
  };
  size: {
    maxLots: number | null;
    maxOrderValuePaise: number | null;
    fatFinger: { multiplier: number; minSamples: number } | null;
  };
  riskPerTrade: {
    maxRiskBpsOfCapital: number | null;
    minRiskReward: number | null; // e.g. 1.5 (reward / risk)
    requireStopLoss: boolean;
  };
  exposure: {
    maxOpenPositions: number | null;
    maxLotsPerSymbol: number | null;
    maxConcentrationBps: number | null; // per underlying, of capital
  };
  daily: {
    maxOrders: number | null;
    maxTurnoverPaise: number | null;
    maxLossPaise: number | null;
  };
  margin: {
    enabled: boolean;
    /** Extra headroom demanded above the required margin, in bps of it. */
    bufferBps: number;
  };
  lists: {
    /** Tradingsymbols or underlying names. */
    restricted: string[];
    watch: string[];
  };
  marketData: {
    /** Older quotes fail closed with STALE_MARKET_DATA. */
    maxAgeMs: number;
  };
}

/** The order under test with everything the rules may read. */
export interface RiskContext {
  order: OrderRequest & { split?: boolean };
  instrument: Instrument | null;
  nowMs: number;
  session: SessionCalendar;
  quote: MarketQuote | null;
  account: AccountSnapshot;
  /** The broker's margin answer for this order (POST /margins/orders total); null when not asked or unanswered. */
  requiredMarginPaise: number | null;
  limits: RiskLimits;
}

/** The full check report for one order. */
export interface RiskReport {
  passed: boolean;
  checks: RiskCheckResult[];
  /** The first failed check, in evaluation order. */
  failure?: RiskCheckResult;
  /** Names of checks that passed with a flag (watch list). */
  flags: string[];
  /** Whether the order only reduces an existing position (exempt from risk-increasing limits). */
  reduceOnly: boolean;
  /** Notional used by the size/daily rules (quantity x reference price). */
  orderValuePaise: number;
  referencePricePaise: number | null;
}
