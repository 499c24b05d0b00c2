import type { InstrumentRegistry, PaperInstrument } from './instruments';

/** Per-instrument market state; all prices in paise and always on the instrument's tick. */
export interface PriceState {
  pricePaise: number;
  openPaise: number;
  highPaise: number;
  lowPaise: number;
  closePaise: number;
  volume: number;
  lastQuantity: number;
  lastTradeTime: Date | null;
  /** How many global ticks have been applied to this instrument (walks are evaluated lazily). */
  applied: number;
  rng: () => number;
}

/** What a saved book keeps of an instrument's market: its prices and volume (the walk goes on from there). */
export type SavedPrice = Omit<PriceState, 'applied' | 'rng' | 'lastTradeTime'> & { lastTradeTime: string | null };

/** mulberry32: tiny, fast, good enough for a deterministic simulator. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Relative volatility per tick: options move in percent, the index and futures in basis points. */
function volPerTick(instrument: PaperInstrument): number {
  return instrument.segment === 'NFO-OPT' ? 0.0025 : 0.0002;
}

/**
 * Seeded random walks, one per instrument. A global tick counter advances on a timer; each instrument
 * catches up lazily when read, so the path of an instrument depends only on (seed, token, tick number)
 * and not on who read what when.
 */
export class PricePath {
  private tickNo = 0;
  private readonly states = new Map<number, PriceState>();

  constructor(
    private readonly seed: number,
    private readonly registry: InstrumentRegistry,
  ) {}

  get ticks(): number {
    return this.tickNo;
  }

  advance(): void {
    this.tickNo += 1;
  }

  state(instrument: PaperInstrument): PriceState {
    let s = this.states.get(instrument.instrument_token);
    if (!s) {
      const p = instrument.initialPricePaise;
      s = {
        pricePaise: p, openPaise: p, highPaise: p, lowPaise: p, closePaise: p,
        volume: 0, lastQuantity: 0, lastTradeTime: null, applied: 0,
        rng: mulberry32((this.seed * 2654435761) ^ instrument.instrument_token),
      };
      this.states.set(instrument.instrument_token, s);
    }
    const tick = instrument.tickPaise;
    const vol = volPerTick(instrument);
    while (s.applied < this.tickNo) {
      const sigmaTicks = Math.max(1, (s.pricePaise * vol) / tick);
      const steps = Math.round(gaussian(s.rng) * sigmaTicks);
      this.move(s, Math.max(tick, s.pricePaise + steps * tick));
      s.applied += 1;
    }
    return s;
  }

  lastPaise(instrument: PaperInstrument): number {
    return this.state(instrument).pricePaise;
  }

  lastByToken(token: number): number | undefined {
    const i = this.registry.byInstrumentToken(token);
    return i ? this.lastPaise(i) : undefined;
  }

  /** Overrides the price (control API); the walk continues from here. */
  set(instrument: PaperInstrument, pricePaise: number): void {
    this.move(this.state(instrument), pricePaise);
  }

  saved(instrument: PaperInstrument): SavedPrice {
    const { pricePaise, openPaise, highPaise, lowPaise, closePaise, volume, lastQuantity, lastTradeTime } = this.state(instrument);
    return { pricePaise, openPaise, highPaise, lowPaise, closePaise, volume, lastQuantity, lastTradeTime: lastTradeTime?.toISOString() ?? null };
  }

  /** Puts back a saved market (a restarted broker): the walk continues from the saved price. */
  restore(instrument: PaperInstrument, p: SavedPrice): void {
    const s = this.state(instrument);
    Object.assign(s, {
      pricePaise: p.pricePaise, openPaise: p.openPaise, highPaise: p.highPaise, lowPaise: p.lowPaise, closePaise: p.closePaise,
      volume: p.volume, lastQuantity: p.lastQuantity, lastTradeTime: p.lastTradeTime === null ? null : new Date(p.lastTradeTime),
    });
  }

  recordTrade(instrument: PaperInstrument, quantity: number, at: Date): void {
    const s = this.state(instrument);
    s.volume += quantity;
    s.lastQuantity = quantity;
    s.lastTradeTime = at;
  }

  private move(s: PriceState, pricePaise: number): void {
    s.pricePaise = pricePaise;
    s.highPaise = Math.max(s.highPaise, pricePaise);
    s.lowPaise = Math.min(s.lowPaise, pricePaise);
  }
}
