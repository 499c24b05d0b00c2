import { Client } from '@temporalio/client';
import type { Logger } from '../infra/logger';
import { connectTemporal } from '../infra/temporal-connection';
import { KiteGateway } from '../broker/kite-gateway';
import { MarketDataCache } from '../broker/market-data';
import { SharedRateLimiter } from '../broker/shared-rate-limiter';
import type { Env } from '../config/env';
import { PositionService } from '../services/position-service';
import { BrokerSessionStore } from '../store/broker-session-store';
import { KillSwitchStore } from '../store/kill-switch-store';
import { OrderGroupStore } from '../store/order-group-store';
import { OrderStore } from '../store/order-store';
import { PositionStore } from '../store/position-store';
import { RateSlotStore } from '../store/rate-slot-store';
import { createPrismaClient } from '../store/prisma';
import type { OrderWorkflowConfig } from '../workflows/order-config';
import type { SystemConfig } from './configuration';
import type { BrokerSettings } from './infrastructure';
import type { ShutdownStack } from './shutdown';
import { HintLedger } from '../services/hint-ledger';
import { Alerts, type AlertSink } from '../services/alerts';
import { EventStore } from '../store/event-store';
import { EventTail } from '../store/event-tail';
import { istTradingDay as istDate } from '../domain/positions';
import { AccountRegistry, accountRiskConfigs } from './accounts';
import { OmsMetrics, registerStateGauges, type BrokerMetrics } from '../metrics/oms-metrics';
import { MetricsStore } from '../store/metrics-store';
import { AccountsConfigError, type AccountSettings } from '../config/accounts-config';

/** Where the infrastructure parts answer (started here or given by the environment). */
export interface Endpoints { databaseUrl: string; temporalAddress: string; paperBrokerUrl: string | undefined }

/** What the worker and the API share in one process: stores, the broker gateway, one quote cache, one Temporal client. */
export interface SystemCore {
  env: Env;
  log: (line: string) => void;
  /** The structured logger behind `log`, for the request log (absent: requests are not logged). */
  logger?: Logger;
  config: SystemConfig;
  endpoints: Endpoints;
  broker: BrokerSettings;
  /** The default account's id (strategies no account lists trade there); its parts are `sessions`, `gateway`, `marketData`. */
  account: string;
  /** Every broker account and which one a strategy trades through. */
  accounts: AccountRegistry;
  db: ReturnType<typeof createPrismaClient>;
  store: OrderStore;
  groups: OrderGroupStore;
  sessions: BrokerSessionStore;
  killSwitches: KillSwitchStore;
  positionStore: PositionStore;
  gateway: KiteGateway;
  marketData: MarketDataCache;
  positionService: PositionService;
  workflowConfig: Partial<OrderWorkflowConfig>;
  client: Client;
  /** Broker news this process already signalled to its orders (the postback route, the WebSocket stream and the book watcher share it). */
  hints: HintLedger;
  /** This process's Prometheus metrics (GET /metrics). */
  metrics: OmsMetrics;
  /** The event outbox (SSE, webhooks, alerts), the wake-up on each commit, and where alerts are raised. */
  events: EventStore;
  eventTail: EventTail;
  alerts: AlertSink;
}

type CoreInput = Pick<SystemCore, 'env' | 'log' | 'logger' | 'config' | 'endpoints' | 'broker'>;

/** Opens the database, each account's broker gateway and the Temporal client that the worker and the API share. */
export async function connectCore(input: CoreInput, stops: ShutdownStack): Promise<SystemCore> {
  const { env, config, endpoints } = input;
  const db = createPrismaClient(endpoints.databaseUrl);
  stops.push(() => db.$disconnect());
  const events = new EventStore(db);
  const alerts = new Alerts({ store: events, log: input.log });
  const eventTail = new EventTail({ databaseUrl: endpoints.databaseUrl, pollMs: env.EVENTS_POLL_MS, log: input.log });
  eventTail.start();
  stops.push(() => eventTail.close());
  const metrics = new OmsMetrics();
  registerStateGauges(metrics, new MetricsStore(db));
  const accounts = accountRegistry(input, db, alerts, metrics, stops);
  const store = new OrderStore(db, config.chargeRates, (s) => accounts.accountOf(s));
  await refuseMovedStrategies(store, accounts);
  const main = accounts.default;
  const positionStore = new PositionStore(db);
  const positionService = new PositionService({
    positions: positionStore, log: input.log, accountOf: (s) => accounts.accountOf(s), accounts: () => accounts.ids(),
    lastPrices: async (keys) => new Map([...(await anyAccountQuotes(accounts, keys))].map(([k, q]) => [k, q.lastPricePaise])),
  });
  return {
    ...input, account: main.id, accounts, metrics, db, sessions: main.sessions, gateway: main.gateway, marketData: main.marketData, positionStore, positionService, events, eventTail, alerts,
    store, groups: new OrderGroupStore(db), killSwitches: new KillSwitchStore(db),
    workflowConfig: { pollMinMs: env.ORDER_POLL_MIN_MS, pollMaxMs: env.ORDER_POLL_MAX_MS, retry: config.execution.retry },
    client: await temporalClient(endpoints.temporalAddress, env.TEMPORAL_NAMESPACE, stops),
    hints: new HintLedger(),
  };
}

/**
 * Each broker account's parts: its stored session (keyed by its own secret), its gateway behind its own rate limits,
 * one quote cache per account per process (the risk gate and /pnl share Kite's one quote request a second), its limits.
 */
function accountRegistry(input: CoreInput, db: ReturnType<typeof createPrismaClient>, alerts: AlertSink, metrics: OmsMetrics, stops: ShutdownStack): AccountRegistry {
  const { config } = input;
  const slots = new RateSlotStore(db);
  const riskOf = accountRiskConfigs(config.accounts.accounts, config.riskConfig, input.log, stops);
  const runtimes = new Map(config.accounts.accounts.map((settings) => {
    const sessions = new BrokerSessionStore(db, settings.apiSecret);
    const gateway = brokerGateway(input, settings, () => sessions.loadAccessToken(settings.id), slots, alerts, metrics.forAccount(settings.id));
    const { file, view } = riskOf(settings);
    const marketData = new MarketDataCache((keys) => gateway.getQuotes(keys), { ttlMs: view.current().config.quoteTtlMs, log: input.log });
    return [settings.id, { id: settings.id, settings, sessions, gateway, marketData, riskConfig: view, riskFile: file }] as const;
  }));
  return new AccountRegistry(config.accounts, runtimes);
}

/**
 * Quotes are the exchange's, whichever account asks: the default account's, else the next account's whose session
 * answers (one account's expired session leaves every account's P&L marked).
 */
async function anyAccountQuotes(accounts: AccountRegistry, keys: string[]) {
  let failure: unknown;
  for (const a of [accounts.default, ...accounts.list().filter((x) => x.id !== accounts.defaultId)]) {
    try {
      return await a.marketData.getQuotes(keys);
    } catch (err) {
      failure ??= err;
    }
  }
  throw failure;
}

/**
 * An order trades through the account it was created in. A strategy the configuration now puts in another account
 * while it has live orders would have them followed, modified and cancelled at the wrong broker account: refused.
 */
async function refuseMovedStrategies(store: OrderStore, accounts: AccountRegistry): Promise<void> {
  const live = await store.liveStrategyAccounts();
  const moved = live.filter((o) => accounts.accountOf(o.strategyId) !== o.account);
  if (moved.length) {
    throw new AccountsConfigError(`strategies with live orders in another account than the configuration now gives them: ${moved.map((m) => `${m.strategyId} (live in ${m.account}, configured ${accounts.accountOf(m.strategyId)})`).join(', ')}; let those orders finish (or cancel them) before moving the strategy`);
  }
}

/** Kite (or the paper broker) behind the account's order rate limits; the access token is read from the session store. */
function brokerGateway(input: CoreInput, settings: AccountSettings, tokenSource: () => Promise<string | null>, slots: RateSlotStore, alerts: AlertSink, metrics: BrokerMetrics): KiteGateway {
  const { env, broker } = input;
  const account = settings.id;
  // A call holds its slot until a window after its answer, so delayed or bunched arrivals cannot break the broker's
  // count (rate-limiter.ts says why); the windows stay wider than Kite's as a margin for clocks and counting at the
  // broker. The slots are in Postgres, shared by every process of the account (API, workers): two workers still send
  // at most Kite's rate. A request whose process died while it was out frees its slot after its longest possible life.
  const orderLimiter = new SharedRateLimiter(slots, {
    account,
    windows: [{ limit: env.BROKER_ORDERS_PER_SECOND, windowMs: 1250 }, { limit: env.BROKER_ORDERS_PER_MINUTE, windowMs: 61_000 }],
    leaseMs: 2 * env.KITE_TIMEOUT_MS + 5_000,
    metrics,
  });
  return new KiteGateway({
    apiKey: settings.apiKey, accessToken: settings.accessToken, root: input.endpoints.paperBrokerUrl ?? broker.root, timeoutMs: env.KITE_TIMEOUT_MS, orderLimiter,
    tokenSource, metrics,
    // The alert names the way out; one per account and IST day (every process may see the refusal).
    onSessionExpired: () => void alerts.raise({
      kind: 'TOKEN_EXPIRED', severity: 'critical', account, occurrence: `${account}:${istDate(Date.now())}`, at: new Date().toISOString(),
      message: `broker session expired for account ${account}: the broker refuses the access token; new orders are refused (503 BROKER_SESSION_EXPIRED) and working orders pause (TOKEN_EXPIRED) until the daily login: open /api/v1/accounts/${account}/login`,
    }).catch((err) => input.log(`the TOKEN_EXPIRED alert was not recorded: ${(err as Error).message}`)),
  });
}

/** One Temporal client per process (the worker polls on its own connection): API, kill switch, monitor, schedules. */
async function temporalClient(address: string, namespace: string, stops: ShutdownStack): Promise<Client> {
  const { connection, close } = await connectTemporal({ address });
  stops.push(close);
  return new Client({ connection, namespace });
}
