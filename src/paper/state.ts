import type { RuntimeConfig } from './config';
import { FaultQueue } from './faults';
import { InstrumentRegistry, buildInstruments, type InstrumentUniverseOptions, type PaperInstrument } from './instruments';
import type { ChargeRates, MarginRates, MarketView } from './margins';
import { OrderBook } from './order-book';
import { Portfolio } from './portfolio';
import { PricePath } from './price-path';
import { SlidingWindowLimiter } from './rate-limit';

export interface PlaceRequestRecord {
  tag: string | null;
  /** Epoch ms of the real wall clock (not the injected clock): for benchmarks. */
  receivedAt: number;
  /** HTTP status answered, once known. */
  status: number | null;
}

export interface BrokerStats {
  placeRequestsReceived: number;
  ordersPlaced: number;
  modifyRequests: number;
  cancelRequests: number;
  rateLimited: number;
  faultsInjected: number;
  placeRequests: PlaceRequestRecord[];
}

export const MAX_PLACE_REQUEST_RECORDS = 10_000;

export function emptyStats(): BrokerStats {
  return {
    placeRequestsReceived: 0, ordersPlaced: 0, modifyRequests: 0, cancelRequests: 0, rateLimited: 0, faultsInjected: 0,
    placeRequests: [],
  };
}

/** Static facts fixed at creation. */
export interface PaperSettings {
  apiKey: string;
  /** Kite's user_id of this account (profile, session, orders' placed_by, postbacks). */
  userId: string;
  accessToken: string;
  apiSecret: string;
  seed: number;
  startingCashPaise: number;
  universe: Partial<InstrumentUniverseOptions>;
  marginRates: MarginRates;
  chargeRates: ChargeRates;
  now: () => Date;
  log: (msg: string) => void;
}

/**
 * One simulated Kite account. Several accounts share one market: their states hold the same `registry` and `prices`
 * objects (a full reset gives all of them the new ones). Everything reset() replaces lives here; components read through this object, never cache its fields. */
export interface PaperState {
  settings: PaperSettings;
  config: RuntimeConfig;
  registry: InstrumentRegistry;
  prices: PricePath;
  book: OrderBook;
  portfolio: Portfolio;
  faults: FaultQueue;
  limiter: SlidingWindowLimiter;
  stats: BrokerStats;
  /** Called after every change to the book (orders, trades, positions, prices set by hand, the token): saves it. */
  changed: () => void;
}

export function freshMarket(settings: PaperSettings): Pick<PaperState, 'registry' | 'prices'> {
  const registry = new InstrumentRegistry(buildInstruments(settings.now(), settings.universe));
  return { registry, prices: new PricePath(settings.seed, registry) };
}

export function marketView(state: PaperState): MarketView {
  return {
    lastPaise: (i: PaperInstrument) => state.prices.lastPaise(i),
    spotPaise: () => {
      const index = state.registry.list.find((i) => i.segment === 'INDICES');
      return index ? state.prices.lastPaise(index) : 0;
    },
  };
}
