import { istParts } from './ist-time';
import { optionValue } from './option-model';
import { roundToTick } from './money';

/** One row of Kite's instrument dump plus the paper-only facts the simulator needs. */
export interface PaperInstrument {
  instrument_token: number;
  exchange_token: number;
  tradingsymbol: string;
  name: string;
  expiry: string; // "YYYY-MM-DD" or ""
  strike: number;
  tick_size: number;
  lot_size: number;
  instrument_type: 'CE' | 'PE' | 'FUT' | 'EQ';
  segment: 'NFO-OPT' | 'NFO-FUT' | 'INDICES';
  exchange: 'NFO' | 'NSE';
  /** Paper-only: tick in paise (5 for 0.05), freeze quantity, starting price, whether orders are accepted. */
  tickPaise: number;
  freezeQuantity: number;
  initialPricePaise: number;
  tradable: boolean;
}

export interface InstrumentUniverseOptions {
  underlyingPrice: number; // NIFTY BANK spot, rupees
  lotSize: number;
  freezeQuantity: number;
  strikeStep: number;
  strikeRange: number; // strikes within +/- this of the ATM strike
  monthlyExpiries: number;
  /** BANKNIFTY weeklies were discontinued in Nov 2024; kept configurable for other scenarios. */
  weeklyExpiries: number;
  volatility: number;
}

export const DEFAULT_UNIVERSE: InstrumentUniverseOptions = {
  underlyingPrice: 52000,
  lotSize: 30,
  freezeQuantity: 600,
  strikeStep: 100,
  strikeRange: 2000,
  monthlyExpiries: 3,
  weeklyExpiries: 0,
  volatility: 0.14,
};

export const INDEX_TOKEN = 260105;
const NFO_SEGMENT_CODE = 2;
const FIRST_NFO_EXCHANGE_TOKEN = 35001;
const TICK_PAISE = 5;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKLY_MONTH_CODES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'O', 'N', 'D'];
const TUESDAY = 2;

interface Expiry {
  date: Date; // UTC midnight of the IST expiry day
  monthly: boolean;
}

const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/** BANKNIFTY monthly expiry: the last Tuesday of the month (NSE moved F&O expiries to Tuesday in Sep 2025). */
function lastTuesday(year: number, monthIndex: number): Date {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0));
  const back = (last.getUTCDay() - TUESDAY + 7) % 7;
  return new Date(Date.UTC(year, monthIndex, last.getUTCDate() - back));
}

function upcomingExpiries(now: Date, opts: InstrumentUniverseOptions): Expiry[] {
  const p = istParts(now);
  const today = Date.UTC(p.year, p.month - 1, p.day);
  const monthly: Date[] = [];
  for (let i = 0; monthly.length < opts.monthlyExpiries && i < 240; i++) {
    const d = lastTuesday(p.year, p.month - 1 + i);
    if (d.getTime() >= today) monthly.push(d);
  }
  const monthlyDays = new Set(monthly.map(isoDay));
  const byDay = new Map<string, Expiry>(monthly.map((date) => [isoDay(date), { date, monthly: true }]));
  const firstTuesday = today + (((TUESDAY - new Date(today).getUTCDay() + 7) % 7) * 86_400_000);
  for (let w = 0; w < opts.weeklyExpiries; w++) {
    const date = new Date(firstTuesday + w * 7 * 86_400_000);
    if (!byDay.has(isoDay(date))) byDay.set(isoDay(date), { date, monthly: monthlyDays.has(isoDay(date)) });
  }
  return [...byDay.values()].sort((a, b) => a.date.getTime() - b.date.getTime());
}

/** Kite symbol stem: monthly `BANKNIFTY26DEC`, weekly `BANKNIFTY26D29` (month code 1-9, O, N, D). */
function symbolStem(expiry: Expiry): string {
  const yy = String(expiry.date.getUTCFullYear() % 100).padStart(2, '0');
  const m = expiry.date.getUTCMonth();
  if (expiry.monthly) return `BANKNIFTY${yy}${MONTHS[m]}`;
  return `BANKNIFTY${yy}${WEEKLY_MONTH_CODES[m]}${String(expiry.date.getUTCDate()).padStart(2, '0')}`;
}

function yearsToExpiry(now: Date, expiry: Date): number {
  // Expiry settles at 15:30 IST = 10:00 UTC on the expiry day.
  const ms = expiry.getTime() + 10 * 3_600_000 - now.getTime();
  return Math.max(ms, 3_600_000) / (365 * 86_400_000);
}

function nfo(exchangeToken: number, row: Omit<PaperInstrument, 'instrument_token' | 'exchange_token'>): PaperInstrument {
  return { instrument_token: exchangeToken * 256 + NFO_SEGMENT_CODE, exchange_token: exchangeToken, ...row };
}

/** The simulated universe: NSE "NIFTY BANK" index plus BANKNIFTY futures and CE/PE options per expiry. */
export function buildInstruments(now: Date, overrides: Partial<InstrumentUniverseOptions> = {}): PaperInstrument[] {
  const opts = { ...DEFAULT_UNIVERSE, ...overrides };
  const spot = opts.underlyingPrice;
  const spotPaise = roundToTick(Math.round(spot * 100), TICK_PAISE);
  const list: PaperInstrument[] = [
    {
      instrument_token: INDEX_TOKEN, exchange_token: 1016, tradingsymbol: 'NIFTY BANK', name: 'NIFTY BANK',
      expiry: '', strike: 0, tick_size: 0, lot_size: 0, instrument_type: 'EQ', segment: 'INDICES', exchange: 'NSE',
      tickPaise: TICK_PAISE, freezeQuantity: 0, initialPricePaise: spotPaise, tradable: false,
    },
  ];
  const atm = Math.round(spot / opts.strikeStep) * opts.strikeStep;
  let token = FIRST_NFO_EXCHANGE_TOKEN;
  for (const expiry of upcomingExpiries(now, opts)) {
    const years = yearsToExpiry(now, expiry.date);
    const forward = spot * (1 + 0.065 * years);
    const common = {
      name: 'BANKNIFTY', expiry: isoDay(expiry.date), tick_size: 0.05, lot_size: opts.lotSize, exchange: 'NFO' as const,
      tickPaise: TICK_PAISE, freezeQuantity: opts.freezeQuantity, tradable: true,
    };
    if (expiry.monthly) {
      list.push(nfo(token++, {
        ...common, tradingsymbol: `${symbolStem(expiry)}FUT`, strike: 0, instrument_type: 'FUT', segment: 'NFO-FUT',
        initialPricePaise: roundToTick(Math.round(forward * 100), TICK_PAISE),
      }));
    }
    for (let strike = atm - opts.strikeRange; strike <= atm + opts.strikeRange; strike += opts.strikeStep) {
      for (const type of ['CE', 'PE'] as const) {
        const value = optionValue(type, forward, strike, years, opts.volatility);
        list.push(nfo(token++, {
          ...common, tradingsymbol: `${symbolStem(expiry)}${strike}${type}`, strike, instrument_type: type,
          segment: 'NFO-OPT', initialPricePaise: Math.max(TICK_PAISE, roundToTick(Math.round(value * 100), TICK_PAISE)),
        }));
      }
    }
  }
  return list;
}

const CSV_HEADER =
  'instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange';

/** Kite's instrument dump CSV (last_price is always 0 in Kite's dump too). */
export function instrumentsCsv(instruments: readonly PaperInstrument[]): string {
  const rows = instruments.map((i) =>
    [i.instrument_token, i.exchange_token, i.tradingsymbol, `"${i.name}"`, 0, i.expiry, i.strike, i.tick_size,
      i.lot_size, i.instrument_type, i.segment, i.exchange].join(','),
  );
  // No trailing newline: papaparse (used by the official client) would turn it into an empty instrument.
  return [CSV_HEADER, ...rows].join('\n');
}

/** The option of the nearest monthly expiry whose strike is closest to `strike` (default: the ATM strike). */
export function nearestMonthlyOption(
  instruments: readonly PaperInstrument[],
  type: 'CE' | 'PE',
  strike?: number,
): PaperInstrument {
  const futures = instruments.filter((i) => i.instrument_type === 'FUT');
  const monthlyExpiry = futures.map((f) => f.expiry).sort()[0];
  const index = instruments.find((i) => i.instrument_token === INDEX_TOKEN);
  const target = strike ?? (index ? index.initialPricePaise / 100 : 0);
  const candidates = instruments.filter((i) => i.instrument_type === type && i.expiry === monthlyExpiry);
  const best = candidates.reduce<PaperInstrument | undefined>(
    (acc, i) => (!acc || Math.abs(i.strike - target) < Math.abs(acc.strike - target) ? i : acc),
    undefined,
  );
  if (!best) throw new Error(`no ${type} option in the paper universe`);
  return best;
}

/** Lookup by `EXCHANGE:TRADINGSYMBOL` or instrument token. */
export class InstrumentRegistry {
  readonly list: readonly PaperInstrument[];
  private readonly byKey = new Map<string, PaperInstrument>();
  private readonly byToken = new Map<number, PaperInstrument>();

  constructor(list: readonly PaperInstrument[]) {
    this.list = list;
    for (const i of list) {
      this.byKey.set(`${i.exchange}:${i.tradingsymbol}`, i);
      this.byToken.set(i.instrument_token, i);
    }
  }

  find(exchange: string, tradingsymbol: string): PaperInstrument | undefined {
    return this.byKey.get(`${exchange.toUpperCase()}:${tradingsymbol.toUpperCase()}`);
  }

  byInstrumentToken(token: number): PaperInstrument | undefined {
    return this.byToken.get(token);
  }

  /** Resolves a quote key: "NFO:SYMBOL" or a bare instrument token. */
  resolve(key: string): PaperInstrument | undefined {
    if (/^\d+$/.test(key)) return this.byToken.get(Number(key));
    const sep = key.indexOf(':');
    return sep > 0 ? this.find(key.slice(0, sep), key.slice(sep + 1)) : undefined;
  }
}
