import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { checkDistinctApiKeys, paperAccountsSchema, type PaperAccountOptions } from './account-options';
import type { ConfigPatch, MatchingOptions } from './config';
import type { InstrumentUniverseOptions, PaperInstrument } from './instruments';
import { DEFAULT_CHARGE_RATES, DEFAULT_MARGIN_RATES, type ChargeRates, type MarginRates } from './margins';
import type { MatchingEngine } from './matching-engine';
import { PAPER_USER_ID } from './order-book';
import { attachStreams } from './order-update-stream';
import { PaperAccount, type SharedParts } from './paper-account';
import { createPaperApp } from './paper-app';
import { PaperStateFile, readSnapshot, restoreInto, snapshotOf } from './persistence';
import { freshMarket, type PaperSettings } from './state';

export type { PaperAccountOptions } from './account-options';

export interface PaperBrokerOptions {
  /**
   * The primary account (user id PAPER1; what /control addresses by default). Requests must carry
   * `Authorization: token apiKey:accessToken` of some account, else 403 TokenException.
   */
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
  /**
   * Kite accounts besides the primary one above, each with its own book, positions, funds, rate limit, faults,
   * stats, postbacks (signed with its own secret), login and WebSocket; instruments and prices are shared. Requests
   * pick the account by their `Authorization` header; /control/* by `?account=<apiKey>` (default: the primary).
   * The other options (matching, rate limit, session, rates, startingCash unless given) apply to every account.
   */
  accounts?: PaperAccountOptions[];
}

export interface PaperBroker {
  app: express.Express;
  /** Listens (port 0 = any free port) and resolves the actual port; serves Kite's WebSocket on the same port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops timers, held responses, postbacks, WebSocket connections and every server started by listen(). */
  close(): Promise<void>;
  /** Same as POST /control/reset: every account and the market; with an api_key, that account's book only. */
  reset(apiKey?: string): void;
  /** The current instrument universe (pick symbols from here; see also nearestMonthlyOption). */
  instruments(): readonly PaperInstrument[];
  /** The api_keys of the accounts, the primary first. */
  accountKeys(): string[];
  /** Resolves once every queued postback (of every account) has been attempted. */
  drainPostbacks(): Promise<void>;
  /** Writes the book (every account's) to `stateFile` now (resolves at once without one). */
  saveState(): Promise<void>;
}

type AccountSpec = PaperAccountOptions & { userId: string };

function settingsFrom(opts: PaperBrokerOptions, account: AccountSpec): PaperSettings {
  return {
    apiKey: account.apiKey,
    userId: account.userId,
    accessToken: account.accessToken,
    apiSecret: account.apiSecret,
    seed: opts.seed ?? 42,
    startingCashPaise: Math.round((account.startingCash ?? opts.startingCash ?? 1_000_000) * 100),
    universe: opts.instruments ?? {},
    marginRates: { ...DEFAULT_MARGIN_RATES, ...opts.marginRates },
    chargeRates: { ...DEFAULT_CHARGE_RATES, ...opts.chargeRates },
    now: opts.now ?? (() => new Date()),
    log: opts.logger ?? ((msg: string) => console.log(`[paper] ${msg}`)),
  };
}

/** The primary account (top-level options) first, then `accounts` (user ids PAPER2, PAPER3, ... unless given). */
function accountSpecs(opts: PaperBrokerOptions): AccountSpec[] {
  const extra = paperAccountsSchema.parse(opts.accounts ?? []);
  const primary: AccountSpec = {
    apiKey: opts.apiKey, apiSecret: opts.apiSecret, accessToken: opts.accessToken, userId: PAPER_USER_ID,
    postbackUrl: opts.postbackUrl, loginRedirectUrl: opts.loginRedirectUrl,
  };
  const specs = [primary, ...extra.map((a, i) => ({ ...a, userId: a.userId ?? `PAPER${i + 2}` }))];
  checkDistinctApiKeys(specs.map((a) => a.apiKey));
  return specs;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Loads the saved book into the fresh accounts (before matching starts) and saves every change from now on. */
function openStateFile(accounts: readonly PaperAccount[], file: string, debounceMs: number): PaperStateFile {
  const [primary, ...others] = accounts.map((a) => a.state);
  const { settings } = primary!;
  const snapshot = readSnapshot(file);
  if (snapshot) {
    const dropped = restoreInto(primary!, snapshot, others);
    const orders = snapshot.orders.length + (snapshot.accounts ?? []).reduce((n, a) => n + a.orders.length, 0);
    settings.log(`book restored from ${file}: ${orders} orders of ${1 + (snapshot.accounts?.length ?? 0)} account(s), ${snapshot.positions.length} positions of the primary (saved ${snapshot.savedAt})`);
    if (dropped.length > 0) settings.log(`saved accounts no longer configured, left out: ${dropped.join(', ')}`);
  }
  const saved = new PaperStateFile(file, () => snapshotOf(primary!, settings.now(), others), debounceMs, settings.log);
  for (const a of accounts) a.state.changed = () => saved.changed();
  return saved;
}

/** A Kite Connect v3 compatible simulator (one or more accounts) that the official `kiteconnect` client talks to over HTTP. */
export function createPaperBroker(opts: PaperBrokerOptions): PaperBroker {
  const specs = accountSpecs(opts);
  const primarySettings = settingsFrom(opts, specs[0]!);
  const shared: SharedParts = { market: freshMarket(primarySettings), engines: new Set<MatchingEngine>(), pendingTimers: new Set() };
  const accounts = specs.map((spec, i) => {
    const patch: ConfigPatch = {
      matching: opts.matching, rateLimit: opts.rateLimit, session: opts.session, postbackUrl: spec.postbackUrl ?? null,
      loginRedirectUrl: spec.loginRedirectUrl ?? null,
    };
    return new PaperAccount(i === 0 ? primarySettings : settingsFrom(opts, spec), patch, shared);
  });
  const primary = accounts[0]!;
  const saved = opts.stateFile ? openStateFile(accounts, opts.stateFile, opts.saveDebounceMs ?? 500) : null;
  const servers: http.Server[] = [];

  /** A new market for everyone, every account's book cleared. */
  const resetAll = (): void => {
    for (const a of accounts) a.engine.stop();
    const market = freshMarket(primarySettings);
    for (const a of accounts) Object.assign(a.state, market);
    for (const a of accounts) a.reset();
  };
  const app = createPaperApp({ primary, accounts, resetAll, changed: () => primary.state.changed() });
  for (const a of accounts) a.engine.start();

  return {
    app,
    reset(apiKey?: string): void {
      if (apiKey === undefined) return resetAll();
      const account = accounts.find((a) => a.apiKey === apiKey);
      if (!account) throw new Error(`paper broker: no account with api_key ${apiKey}`);
      account.reset();
    },
    accountKeys: () => accounts.map((a) => a.apiKey),
    instruments: () => primary.state.registry.list,
    drainPostbacks: async () => {
      await Promise.all(accounts.map((a) => a.postbacks.drain()));
    },
    saveState: async () => saved?.flush(),
    listen(port: number, host = '127.0.0.1'): Promise<number> {
      return new Promise((resolve, reject) => {
        const server = http.createServer(app);
        attachStreams(server, accounts.map((a) => a.stream)); // Kite's WebSocket on the same port
        server.once('error', reject);
        server.listen(port, host, () => {
          servers.push(server);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close(): Promise<void> {
      for (const a of accounts) a.engine.stop();
      for (const timer of shared.pendingTimers) clearTimeout(timer);
      shared.pendingTimers.clear();
      for (const a of accounts) {
        a.postbacks.close();
        a.stream.close();
      }
      await Promise.all(servers.splice(0).map(closeServer));
      await saved?.close();
    },
  };
}
