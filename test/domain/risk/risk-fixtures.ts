import type { Instrument } from '../../../src/domain/order-types';
import { evaluateRisk } from '../../../src/domain/risk/evaluate-risk';
import type {
  AccountSnapshot, HeldPosition, MarketQuote, PendingOrder, RiskCheckResult, RiskContext, RiskLimits, SessionCalendar,
} from '../../../src/domain/risk/risk-types';
import { BANKNIFTY_CE, limitBuy } from '../fixtures';

/** Tuesday 2026-11-17 10:00 IST (04:30 UTC): a weekday, inside the 09:15-15:30 session. */
export const NOW_MS = Date.UTC(2026, 10, 17, 4, 30);
export const MINUTE_MS = 60_000;

/** Epoch ms of an IST wall-clock time ("2026-11-17 09:15"). */
export function istMs(wallClock: string): number {
  const [date, time] = wallClock.split(' ');
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  return Date.UTC(y, mo - 1, d, h, mi) - 330 * MINUTE_MS;
}

export const NSE_SESSION: SessionCalendar = { alwaysOpen: false, open: '09:15', close: '15:30', holidays: ['2026-11-24'] };

export const INSTRUMENT: Instrument = { ...BANKNIFTY_CE, name: 'BANKNIFTY', segment: 'NFO-OPT' };

/** Every optional limit off: only the checks that cannot be switched off (fresh market data) can fail. */
export function baseLimits(): RiskLimits {
  return {
    capitalPaise: 1_000_000_00, // 10 lakh rupees
    parameters: { maxTtlMinutes: 1440, minDisclosedBps: 1000 },
    instrument: { freezeQuantities: {} },
    marketHours: { enabled: false, session: NSE_SESSION },
    price: { bandBps: null, minPricePaise: null, maxPricePaise: null, circuitLimits: false },
    marketConditions: { maxSpreadBps: null, minVolume: null, minOpenInterest: null },
    size: { maxLots: null, maxOrderValuePaise: null, fatFinger: null },
    riskPerTrade: { maxRiskBpsOfCapital: null, minRiskReward: null, requireStopLoss: false },
    exposure: { maxOpenPositions: null, maxLotsPerSymbol: null, maxConcentrationBps: null },
    daily: { maxOrders: null, maxTurnoverPaise: null, maxLossPaise: null },
    margin: { enabled: false, bufferBps: 0 },
    lists: { restricted: [], watch: [] },
    marketData: { maxAgeMs: 5000 },
  };
}

/** LTP 100.00, bid 99.95, ask 100.05, received a second ago. */
export function quote(overrides: Partial<MarketQuote> = {}): MarketQuote {
  return {
    lastPricePaise: 10_000,
    bestBidPaise: 9_995,
    bestAskPaise: 10_005,
    volume: 1_000_000,
    openInterest: 500_000,
    lowerCircuitPaise: 5_000,
    upperCircuitPaise: 20_000,
    receivedAtMs: NOW_MS - 1000,
    ...overrides,
  };
}

export function position(overrides: Partial<HeldPosition> = {}): HeldPosition {
  return { tradingsymbol: INSTRUMENT.tradingsymbol, exchange: 'NFO', underlying: 'BANKNIFTY', netQuantity: 90, lastPricePaise: 10_000, ...overrides };
}

export function pending(overrides: Partial<PendingOrder> = {}): PendingOrder {
  return {
    orderId: 'order-p1', strategyId: 'strat-1', tradingsymbol: INSTRUMENT.tradingsymbol, exchange: 'NFO', underlying: 'BANKNIFTY',
    side: 'BUY', remainingQuantity: 30, referencePricePaise: 10_000, reservedMarginPaise: 0, ...overrides,
  };
}

export function account(overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    positions: [],
    pending: [],
    day: { orderCount: 0, turnoverPaise: 0, grossPnlPaise: 0, chargesPaise: 0 },
    recent: { quantities: [], valuesPaise: [] },
    availableMarginPaise: 500_000_00,
    ...overrides,
  };
}

type SectionOverrides = { [K in keyof RiskLimits]?: RiskLimits[K] extends object ? Partial<RiskLimits[K]> : RiskLimits[K] };

export interface ContextOverrides {
  order?: Partial<RiskContext['order']>;
  instrument?: Instrument | null;
  nowMs?: number;
  session?: SessionCalendar;
  /** null = no quote; an object overrides fields of the default quote. */
  quote?: Partial<MarketQuote> | null;
  account?: Partial<AccountSnapshot>;
  requiredMarginPaise?: number | null;
  /** Each section is merged over baseLimits()'s. */
  limits?: SectionOverrides;
}

function mergeLimits(overrides: SectionOverrides = {}): RiskLimits {
  const limits = baseLimits() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    const base = limits[key];
    limits[key] = typeof base === 'object' && base !== null && typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...base, ...value } : value;
  }
  return limits as unknown as RiskLimits;
}

/** A LIMIT buy of 3 lots (90) of a BANKNIFTY option at 100.00 with a fresh quote, permissive limits, an empty book. */
export function baseContext(overrides: ContextOverrides = {}): RiskContext {
  return {
    order: { ...limitBuy(), ...overrides.order },
    instrument: overrides.instrument === undefined ? INSTRUMENT : overrides.instrument,
    nowMs: overrides.nowMs ?? NOW_MS,
    session: overrides.session ?? NSE_SESSION,
    quote: overrides.quote === null ? null : quote(overrides.quote),
    account: account(overrides.account),
    requiredMarginPaise: overrides.requiredMarginPaise === undefined ? 150_000_00 : overrides.requiredMarginPaise,
    limits: mergeLimits(overrides.limits),
  };
}

/** The named check from a full evaluation (rules are always exercised through the public entry point). */
export function runCheck(name: string, overrides: ContextOverrides = {}): RiskCheckResult {
  const check = evaluateRisk(baseContext(overrides)).checks.find((c) => c.check === name);
  if (!check) throw new Error(`no check named ${name}`);
  return check;
}

/**
 * A table row; `outcome` completes the title "when <when>, then it <outcome>": "passes", "is skipped: <reason>",
 * "fails with <CODE>".
 */
export interface Case {
  when: string;
  ctx: ContextOverrides;
  outcome: string;
}

/** Asserts the outcome a row describes, and that every skip and failure explains itself. */
export function expectOutcome(result: RiskCheckResult, outcome: string): void {
  if (outcome === 'passes') {
    expect(result).toMatchObject({ status: 'passed', passed: true });
    expect(result.code).toBeUndefined();
    return;
  }
  const skipped = /^is skipped: (.+)$/.exec(outcome);
  if (skipped) {
    expect(result).toMatchObject({ status: 'skipped', passed: true });
    expect(result.message).toContain(skipped[1]);
    return;
  }
  const code = /^fails with ([A-Z_]+)$/.exec(outcome)?.[1];
  if (!code) throw new Error(`unknown outcome "${outcome}"`);
  expect(result).toMatchObject({ status: 'failed', passed: false, code });
  expect(result.message).toEqual(expect.any(String));
  expect(result.values).toEqual(expect.any(Object));
}

/** The table runner every rule file uses: one test per row, titled by behaviour. */
export function describeCheck(name: string, cases: Case[]): void {
  describe(name, () => {
    it.each(cases)('when $when, then it $outcome', ({ ctx, outcome }) => {
      expectOutcome(runCheck(name, ctx), outcome);
    });
  });
}

/** A sell of the whole held long (90): the order only reduces risk. */
export const REDUCE_ONLY_SELL: Pick<ContextOverrides, 'order' | 'account'> = {
  order: { side: 'SELL' },
  account: { positions: [position({ netQuantity: 90 })] },
};
