import { AdmissionControl } from '../services/admission-control';
import { baseUrlOf, listenOn } from './listen';
import type { Express } from 'express';
import { createApp } from '../api/app';
import { paperSessionSource } from '../broker/paper-session';
import { KiteLogin } from '../broker/kite-login';
import { BrokerSessionService } from '../services/broker-session-service';
import { monitorPolicyFor } from '../config/monitor-config';
import type { MonitorPolicy } from '../domain/position-monitor';
import type { OrderRequest } from '../domain/order-types';
import { executionReport } from '../services/execution-report';
import { GroupService } from '../services/group-service';
import { KillSwitchService } from '../services/kill-switch-service';
import { MonitorService } from '../services/monitor-service';
import { OrderService } from '../services/order-service';
import { ReconciliationService } from '../services/reconciliation-service';
import { ReportService } from '../services/report-service';
import { EventStreamService } from '../services/event-stream';
import { readiness, type ReadinessCheck } from '../services/readiness';
import { ReconciliationStore } from '../store/reconciliation-store';
import { ReportStore } from '../store/report-store';
import type { SystemCore } from './core';
import type { AccountRuntime } from './accounts';
import { AccountSessions } from '../services/account-sessions';
import type { ShutdownStack } from './shutdown';

/** Serves the HTTP API on API_HOST:API_PORT; answers with its base URL. */
export async function startApi(core: SystemCore, stops: ShutdownStack): Promise<string> {
  const { env } = core;
  const app = apiApp(core);
  const server = await listenOn(app, env.API_PORT, env.API_HOST);
  stops.push(() => new Promise((r) => { server.close(() => r(undefined)); server.closeAllConnections(); }));
  return baseUrlOf(server, env.API_HOST, env.API_PORT);
}

/**
 * Each order's monitor policy from config/monitor.json. In paper mode the paper broker's session decides the MIS
 * square-off (an always-open session has no end of day to square off before), read from its control API.
 */
function monitorPolicies(core: SystemCore): (order: OrderRequest) => Promise<MonitorPolicy | null> {
  const { env, config } = core;
  const paperRoot = env.BROKER_MODE === 'paper' ? core.endpoints.paperBrokerUrl ?? env.KITE_API_ROOT : undefined;
  const session = paperRoot ? paperSessionSource(paperRoot) : undefined;
  return async (order) => {
    if (!session) return monitorPolicyFor(config.monitor, order);
    try {
      return monitorPolicyFor(config.monitor, order, await session());
    } catch (err) {
      core.log(`paper session unreadable, the configured square-off applies: ${err instanceof Error ? err.message : String(err)}`);
      return monitorPolicyFor(config.monitor, order);
    }
  };
}

/** The application services behind the routes, over the process's shared stores and client. */
function apiApp(core: SystemCore): Express {
  const { env, client, store, config, workflowConfig, account, db, accounts } = core;
  const taskQueue = env.TEMPORAL_TASK_QUEUE;
  const monitors = new MonitorService({ client, taskQueue, workflowConfig, policyFor: monitorPolicies(core) });
  const admission = new AdmissionControl({ maxInFlight: env.ADMISSION_MAX_IN_FLIGHT, deadlineMs: env.ADMISSION_TIMEOUT_MS });
  const orders = new OrderService({
    client, store, taskQueue, accountOf: (s) => accounts.accountOf(s), apiSecret: accounts.default.settings.apiSecret, otherApiSecrets: accounts.list().slice(1).map((a) => a.settings.apiSecret),
    workflowConfig, ladderFor: config.execution.ladderFor, monitors, admission, hints: core.hints,
    brokerSession: { sessionExpired: (s) => accounts.forStrategy(s).gateway.sessionExpired(), brokerUnreachable: (s) => accounts.forStrategy(s).gateway.brokerUnreachable() },
  });
  const brokerSessions = new AccountSessions(new Map(accounts.list().map((a) => [a.id, brokerSessionService(core, a, orders)])));
  const killSwitch = new KillSwitchService({ client, store: core.killSwitches, taskQueue, account, accounts: accounts.ids() });
  return createApp({
    orders, monitors, access: config.access, keyLimits: { ratePerSecond: env.API_KEY_RATE_PER_SECOND, burst: env.API_KEY_BURST, maxConcurrent: env.API_KEY_MAX_CONCURRENT }, riskConfig: config.riskConfig, positions: core.positionService,
    groups: new GroupService({
      client, groups: core.groups, taskQueue, workflowConfig,
      halt: {
        killSwitch: (strategyId) => core.killSwitches.get(accounts.accountOf(strategyId)), liveOrders: (f) => store.listLiveOrders(f),
        bookQuantity: async (key) => (await core.positionStore.getPosition(key))?.quantity ?? 0,
      },
    }),
    executionReport: (id) => executionReport(store, id),
    saveAccessToken: (token, id) => brokerSessions.supplyToken(id ?? account, token), brokerSessions, health: async () => ({ mode: env.BROKER_MODE }),
    killSwitch,
    accountList: async () => Promise.all(accounts.list().map(async (a) => ({
      id: a.id, default: a.id === accounts.defaultId, strategies: a.settings.strategies, riskConfigVersion: a.riskConfig.current().version,
      session: await brokerSessions.status(a.id), killSwitch: await killSwitch.state(a.id).then(({ events: _events, ...k }) => k),
    }))),
    liveOrders: store, reports: new ReportService(new ReportStore(db)),
    reconciliation: new ReconciliationService(new ReconciliationStore(db)),
    events: new EventStreamService({ store: core.events, tail: core.eventTail }),
    ready: () => readiness(readinessChecks(core)),
    metrics: { registry: core.metrics, sdkMetricsUrl: env.TEMPORAL_METRICS_BIND ? `http://${env.TEMPORAL_METRICS_BIND}/metrics` : undefined },
    logger: core.logger,
  });
}

/**
 * What /ready asks: Postgres answers, Temporal answers, a worker polls the task queue (in this process or another),
 * and each account's broker session is live and its broker answering.
 */
function readinessChecks(core: SystemCore): Record<string, ReadinessCheck> {
  const { client, env } = core;
  const checks: Record<string, ReadinessCheck> = {
    database: async () => (await core.db.$queryRaw`SELECT 1`, { ok: true }),
    temporal: async () => (await client.workflowService.getSystemInfo({}), { ok: true }),
    worker: async () => {
      const tq = await client.workflowService.describeTaskQueue({ namespace: env.TEMPORAL_NAMESPACE, taskQueue: { name: env.TEMPORAL_TASK_QUEUE }, taskQueueType: 1 });
      const pollers = tq.pollers?.length ?? 0;
      return pollers > 0 ? { ok: true } : { ok: false, reason: `no worker polls task queue ${env.TEMPORAL_TASK_QUEUE}` };
    },
  };
  for (const a of core.accounts.list()) {
    checks[`broker:${a.id}`] = async () => {
      if (await a.gateway.sessionExpired()) return { ok: false, reason: `the Kite session of account ${a.id} has expired: open /api/v1/accounts/${a.id}/login` };
      if (await a.gateway.brokerUnreachable()) return { ok: false, reason: `the broker does not answer for account ${a.id}` };
      return { ok: true };
    };
  }
  return checks;
}

/**
 * The daily login through kiteconnect: Kite's login page and API live, the paper broker's own (/connect/login,
 * /session/token) in paper mode, so the same code runs the whole flow in tests.
 */
function brokerSessionService(core: SystemCore, account: AccountRuntime, orders: OrderService): BrokerSessionService {
  const { env, broker } = core;
  const root = core.endpoints.paperBrokerUrl ?? broker.root;
  const { apiKey, apiSecret } = account.settings;
  const login = new KiteLogin({
    apiKey, apiSecret, root, timeoutMs: env.KITE_TIMEOUT_MS,
    loginUri: env.BROKER_MODE === 'paper' ? `${root}/connect/login` : 'https://kite.zerodha.com/connect/login',
  });
  const mine = (strategyId: string) => core.accounts.accountOf(strategyId) === account.id;
  return new BrokerSessionService({
    account: account.id, login, store: account.sessions, gateway: account.gateway, log: core.log,
    pausedOrders: async () => (await orders.listInterventions()).filter((o) => (o.intervention as { reason?: string } | null)?.reason === 'TOKEN_EXPIRED' && mine(o.strategyId)).length,
  });
}
