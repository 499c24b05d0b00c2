import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { applyConfigPatch, initialConfig, type ConfigPatch, type MatchingOptions, type RuntimeConfig } from './config';
import { FaultQueue } from './faults';
import type { InstrumentUniverseOptions, PaperInstrument } from './instruments';
import { DEFAULT_CHARGE_RATES, DEFAULT_MARGIN_RATES, type ChargeRates, type MarginRates } from './margins';
import { MatchingEngine } from './matching-engine';
import { OrderBook } from './order-book';
import { OrderDesk } from './order-commands';
import { OrderLifecycle } from './order-lifecycle';
import { PaperStateFile, readSnapshot, restoreInto, snapshotOf } from './persistence';
import { createPaperApp } from './paper-app';
import { Portfolio } from './portfolio';
import { OrderUpdateStream } from './order-update-stream';
import { PostbackDispatcher } from './postbacks';
import { SlidingWindowLimiter } from './rate-limit';
import { emptyStats, freshMarket, type PaperSettings, type PaperState } from './state';

export interface PaperBrokerOptions {
  /** Requests must carry `Authorization: token apiKey:accessToken`, else 403 TokenException. */
  apiKey: string;
  accessToken: string;
  /** Signs postbacks: checksum = sha256(order_id + order_timestamp + apiSecret). */
  apiSecret: string;
  /** Seed of the deterministic price paths (default 42). */
  seed?: number;
  /** POST JSON postbacks here, as Kite does. */
  postbackUrl?: string;
  /** Where the login page (GET /connect/login) redirects with a request token: the app's registered redirect URL. */
  loginRedirectUrl?: string;
  /** Default on, 10 order requests/s per API key -> HTTP 429 NetworkException. */
  rateLimit?: { enabled: boolean; ordersPerSecond: number };
  /** Default alwaysOpen (paper works at night); otherwise non-AMO orders outside the session are rejected. */
  session?: { alwaysOpen: boolean; open: string; close: string; timezone: 'Asia/Kolkata'; holidays?: string[] };
  /** Fields left out keep their defaults (auto, 200 ms delay, 1 slice, 100 ms apart, 0 slippage, 1 s ticks). */
  matching?: Partial<MatchingOptions>;
  /** Clock for timestamps, sessions, TTLs and expiries (timers still run on real time). */
  now?: () => Date;
  logger?: (msg: string) => void;
  /** Opening cash balance in rupees (default 10,00,000). */
  startingCash?: number;
  /** Instrument universe (spot, lot size 30, freeze 600, strikes, expiries). */
  instruments?: Partial<InstrumentUniverseOptions>;
  marginRates?: Partial<MarginRates>;
  chargeRates?: Partial<ChargeRates>;
  /**
   * Keep the book (orders with history and trades, positions, last prices, id sequences, the access token) in this
   * JSON file: loaded at creation, saved atomically within `saveDebounceMs` (default 500) of each change and on close.
   * Absent: the book lives in memory only.
   */
  stateFile?: string;
  saveDebounceMs?: number;
}

export interface PaperBroker {
  app: express.Express;
  /** Listens (port 0 = any free port) and resolves the actual port; serves Kite's WebSocket on the same port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops timers, held responses, postbacks, WebSocket connections and every server started by listen(). */
  close(): Promise<void>;
  /** Same as POST /control/reset. */
  reset(): void;
  /** The current instrument universe (pick symbols from here; see also nearestMonthlyOption). */
  instruments(): readonly PaperInstrument[];
  /** Resolves once every queued postback has been attempted. */
  drainPostbacks(): Promise<void>;
  /** Writes the book to `stateFile` now (resolves at once without one). */
  saveState(): Promise<void>;
}

function settingsFrom(opts: PaperBrokerOptions): PaperSettings {
  return {
    apiKey: opts.apiKey,
    accessToken: opts.accessToken,
    apiSecret: opts.apiSecret,
    seed: opts.seed ?? 42,
    startingCashPaise: Math.round((opts.startingCash ?? 1_000_000) * 100),
    universe: opts.instruments ?? {},
    marginRates: { ...DEFAULT_MARGIN_RATES, ...opts.marginRates },
    chargeRates: { ...DEFAULT_CHARGE_RATES, ...opts.chargeRates },
    now: opts.now ?? (() => new Date()),
    log: opts.logger ?? ((msg: string) => console.log(`[paper] ${msg}`)),
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Loads the saved book into the fresh state (before matching starts) and saves every change from now on. */
function openStateFile(state: PaperState, file: string, debounceMs: number): PaperStateFile {
  const snapshot = readSnapshot(file);
  if (snapshot) {
    restoreInto(state, snapshot);
    state.settings.log(`book restored from ${file}: ${snapshot.orders.length} orders, ${snapshot.positions.length} positions (saved ${snapshot.savedAt})`);
  }
  const saved = new PaperStateFile(file, () => snapshotOf(state, state.settings.now()), debounceMs, state.settings.log);
  state.changed = () => saved.changed();
  return saved;
}

/** A Kite Connect v3 compatible simulator that the official `kiteconnect` client talks to over HTTP. */
export function createPaperBroker(opts: PaperBrokerOptions): PaperBroker {
  const settings = settingsFrom(opts);
  const initialPatch: ConfigPatch = {
    matching: opts.matching, rateLimit: opts.rateLimit, session: opts.session, postbackUrl: opts.postbackUrl ?? null,
    loginRedirectUrl: opts.loginRedirectUrl ?? null,
  };
  const state: PaperState = {
    settings, config: initialConfig(initialPatch), ...freshMarket(settings), book: new OrderBook(),
    portfolio: new Portfolio(), faults: new FaultQueue(), limiter: new SlidingWindowLimiter(), stats: emptyStats(),
    changed: () => undefined,
  };
  const saved = opts.stateFile ? openStateFile(state, opts.stateFile, opts.saveDebounceMs ?? 500) : null;
  const postbacks = new PostbackDispatcher({
    url: () => state.config.postbackUrl,
    apiSecret: settings.apiSecret,
    shouldDrop: () => state.faults.take('drop_postbacks') !== undefined,
    log: settings.log,
  });
  const stream = new OrderUpdateStream(state);
  const lifecycle = new OrderLifecycle(state, postbacks, stream);
  const engine = new MatchingEngine(state, lifecycle);
  const desk = new OrderDesk(state, lifecycle);
  const pendingTimers = new Set<NodeJS.Timeout>();
  const servers: http.Server[] = [];

  const reset = (): void => {
    engine.stop();
    Object.assign(state, freshMarket(settings), { config: initialConfig(initialPatch), stats: emptyStats() });
    state.book.clear();
    state.portfolio.clear();
    state.faults.clear();
    state.limiter.clear();
    postbacks.resetStats();
    stream.sent = 0;
    engine.start();
    state.changed();
  };
  const updateConfig = (patch: ConfigPatch): RuntimeConfig => {
    state.config = applyConfigPatch(state.config, patch);
    engine.start();
    return state.config;
  };
  const app = createPaperApp({ state, desk, engine, lifecycle, postbackStats: () => postbacks.stats, streamStats: () => ({ connections: stream.connections, sent: stream.sent }), dropWebSockets: () => stream.close(), updateConfig, reset }, pendingTimers);
  engine.start();

  return {
    app,
    reset,
    instruments: () => state.registry.list,
    drainPostbacks: () => postbacks.drain(),
    saveState: async () => saved?.flush(),
    listen(port: number, host = '127.0.0.1'): Promise<number> {
      return new Promise((resolve, reject) => {
        const server = http.createServer(app);
        stream.attach(server); // Kite's WebSocket on the same port
        server.once('error', reject);
        server.listen(port, host, () => {
          servers.push(server);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close(): Promise<void> {
      engine.stop();
      for (const timer of pendingTimers) clearTimeout(timer);
      pendingTimers.clear();
      postbacks.close();
      stream.close();
      await Promise.all(servers.splice(0).map(closeServer));
      await saved?.close();
    },
  };
}
