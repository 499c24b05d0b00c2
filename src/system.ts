import path from 'node:path';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createActivities } from './activities/create-activities';
import { createGroupActivities } from './activities/group-activities';
import { createMonitorActivities } from './activities/monitor-activities';
import { loadMonitorConfig, monitorPolicyFor } from './config/monitor-config';
import { MonitorService } from './services/monitor-service';
import { createApp } from './api/app';
import { OrderService } from './services/order-service';
import { GroupService } from './services/group-service';
import { KiteGateway } from './broker/kite-gateway';
import { MarketDataCache } from './broker/market-data';
import { paperSessionSource } from './broker/paper-session';
import { SlidingWindowRateLimiter } from './broker/rate-limiter';
import { RiskConfigFile } from './config/risk-config-file';
import { AccessConfigError, loadAccessConfig } from './config/access-config';
import { loadExecutionConfig } from './config/execution-config';
import { loadChargesConfig } from './config/charges-config';
import { loadReconciliationConfig } from './config/reconciliation-config';
import { createReconciliationActivities } from './activities/reconciliation-activities';
import { ReconciliationStore } from './store/reconciliation-store';
import { ReconciliationService } from './services/reconciliation-service';
import { ensureReconciliationSchedule } from './worker/reconciliation-schedule';
import { PositionService } from './services/position-service';
import { executionReport } from './services/execution-report';
import { PositionStore } from './store/position-store';
import { brokerSettings, type Env } from './config/env';
import { projectRoot } from './infra/binaries';
import { startEmbeddedPostgres } from './infra/embedded-pg';
import { applyMigrations } from './infra/migrate';
import { startTemporalDevServer } from './infra/temporal-dev-server';
import { createPaperBroker, type PaperBroker } from './paper/paper-broker';
import { OrderStore } from './store/order-store';
import { OrderGroupStore } from './store/order-group-store';
import { RiskStore } from './store/risk-store';
import { BrokerSessionStore } from './store/broker-session-store';
import { createPrismaClient } from './store/prisma';
import { createOrderWorker } from './worker/order-worker';
import { ORDER_SEARCH_ATTRIBUTES } from './workflows/search-attributes';
import { createKillSwitchActivities } from './activities/kill-switch-activities';
import { KillSwitchService } from './services/kill-switch-service';
import { cancelOpenOrders } from './services/order-cancellation';
import { ReportService } from './services/report-service';
import { KillSwitchStore } from './store/kill-switch-store';
import { ReportStore } from './store/report-store';
import { ensureKillSwitch } from './worker/kill-switch-schedule';

export interface RunningSystem {
  apiUrl: string;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  databaseUrl: string;
  paperBrokerUrl: string | undefined;
  stop(): Promise<void>;
}

/** Brings up every part the environment does not provide, in dependency order; stop() takes them down in reverse. */
export async function startSystem(env: Env, log: (line: string) => void = console.log, parts: { worker?: boolean; api?: boolean } = {}): Promise<RunningSystem> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => { for (const s of stops.reverse()) await s().catch((e) => log(`shutdown: ${String(e)}`)); };
  try {
    // The risk configuration is read first: a bad file stops start-up before anything else runs.
    const riskConfig = new RiskConfigFile(path.resolve(projectRoot(), env.RISK_CONFIG_FILE), log);
    const access = loadAccessConfig(path.resolve(projectRoot(), env.ACCESS_CONFIG_FILE));
    const execution = loadExecutionConfig(path.resolve(projectRoot(), env.EXECUTION_CONFIG_FILE));
    const chargeRates = loadChargesConfig(path.resolve(projectRoot(), env.CHARGES_CONFIG_FILE));
    const reconciliationConfig = loadReconciliationConfig(path.resolve(projectRoot(), env.RECONCILIATION_CONFIG_FILE));
    const monitorConfig = loadMonitorConfig(path.resolve(projectRoot(), env.MONITOR_CONFIG_FILE));
    if (env.BROKER_MODE === 'live' && access.hasDemoKeys()) {
      throw new AccessConfigError(`${env.ACCESS_CONFIG_FILE} still holds the paper demo keys; configure your own keys before trading live`);
    }
    riskConfig.watch();
    stops.push(async () => riskConfig.close());
    const dataDir = path.resolve(env.DATA_DIR);
    let databaseUrl = env.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: env.PG_PORT, database: 'oms', log });
      stops.push(() => pg.stop());
      databaseUrl = pg.connectionString;
    }
    const { applied } = await applyMigrations(databaseUrl, path.join(projectRoot(), 'prisma', 'migrations'), log);
    if (applied.length) log(`migrations applied: ${applied.join(', ')}`);

    let temporalAddress = env.TEMPORAL_ADDRESS;
    let temporalUiUrl = env.TEMPORAL_UI_URL;
    if (!temporalAddress) {
      const t = await startTemporalDevServer({
        ip: env.TEMPORAL_DEV_IP, port: env.TEMPORAL_DEV_PORT, uiPort: env.TEMPORAL_UI_PORT, namespace: env.TEMPORAL_NAMESPACE,
        dbFilename: path.join(dataDir, 'temporal', 'temporal.sqlite'), searchAttributes: ORDER_SEARCH_ATTRIBUTES,
        logFile: path.join(dataDir, 'temporal', 'server.log'),
      });
      stops.push(() => t.stop());
      temporalAddress = t.address;
      temporalUiUrl = t.uiUrl;
    }

    const broker = brokerSettings(env);
    const postbackUrl = env.POSTBACK_URL ?? `http://${env.API_HOST}:${env.API_PORT}/api/v1/webhooks/kite`;
    let paper: PaperBroker | undefined;
    let paperBrokerUrl: string | undefined;
    if (env.BROKER_MODE === 'paper' && !env.KITE_API_ROOT) {
      paper = createPaperBroker({ apiKey: broker.apiKey, accessToken: broker.accessToken, apiSecret: broker.apiSecret, seed: env.PAPER_SEED, postbackUrl, rateLimit: { enabled: env.PAPER_RATE_LIMIT === 'on', ordersPerSecond: 10 }, startingCash: env.PAPER_STARTING_CASH });
      const port = await paper.listen(env.PAPER_PORT, env.PAPER_HOST);
      const p = paper;
      stops.push(() => p.close());
      paperBrokerUrl = `http://${env.PAPER_HOST}:${port}`;
    }

    const db = createPrismaClient(databaseUrl);
    stops.push(() => db.$disconnect());
    const store = new OrderStore(db, chargeRates);
    const groups = new OrderGroupStore(db);
    const sessions = new BrokerSessionStore(db, broker.apiSecret);
    const account = riskConfig.current().config.account;
    // The windows are wider than Kite's: the broker counts arrivals, and arrivals jitter around our send times (a starved
    // process or a slow network can bunch them; 10% was not always enough on a loaded 2-core machine).
    const orderLimiter = new SlidingWindowRateLimiter([
      { limit: env.BROKER_ORDERS_PER_SECOND, windowMs: 1250 },
      { limit: env.BROKER_ORDERS_PER_MINUTE, windowMs: 61_000 },
    ]);
    const gateway = new KiteGateway({ apiKey: broker.apiKey, accessToken: broker.accessToken, root: paperBrokerUrl ?? broker.root, timeoutMs: env.KITE_TIMEOUT_MS, orderLimiter,
      tokenSource: () => sessions.loadAccessToken(account),
    });
    const workflowConfig = { pollMinMs: env.ORDER_POLL_MIN_MS, pollMaxMs: env.ORDER_POLL_MAX_MS, retry: execution.retry };

    const killSwitches = new KillSwitchStore(db);
    const positionStore = new PositionStore(db);
    // One quote cache per process: the worker's risk gate and the API's P&L share Kite's one quote request a second.
    const marketData = new MarketDataCache((keys) => gateway.getQuotes(keys), { ttlMs: riskConfig.current().config.quoteTtlMs, log });
    const positionService = new PositionService({
      positions: positionStore, log,
      lastPrices: async (keys) => new Map([...(await marketData.getQuotes(keys))].map(([k, q]) => [k, q.lastPricePaise])),
    });
    // One Temporal client per process (the worker polls on its own connection): API, kill switch, monitor, schedules.
    const clientConnection = await Connection.connect({ address: temporalAddress });
    stops.push(() => clientConnection.close());
    const client = new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE });

    if (parts.worker !== false) {
      // The kill switch acts through the same paths as the API: order workflows' cancel updates and placements.
      const orderService = new OrderService({ client, store, taskQueue: env.TEMPORAL_TASK_QUEUE, apiSecret: broker.apiSecret, workflowConfig, ladderFor: execution.ladderFor });
      const paperRoot = env.BROKER_MODE === 'paper' ? paperBrokerUrl ?? env.KITE_API_ROOT : undefined;
      const session = paperRoot ? paperSessionSource(paperRoot) : undefined;
      const activities = {
        // The monitor cancels OCO groups through their update.
        ...createMonitorActivities({ orders: store, positions: positionStore, brokerPositions: gateway, client }),
        ...createActivities({
          broker: gateway, brokerTimeoutMs: env.KITE_TIMEOUT_MS, store, riskConfig, marketData, riskStore: new RiskStore(db), log,
          session,
        }),
        ...createGroupActivities({ groups }),
        ...createReconciliationActivities({
          broker: gateway, positions: positionStore, reconciliation: new ReconciliationStore(db), reconciliationConfig, log,
          session: session ?? (async () => riskConfig.current().config.session),
        }),
        ...createKillSwitchActivities({
          killSwitches, riskConfig, positions: positionStore, client, taskQueue: env.TEMPORAL_TASK_QUEUE,
          accountNetPnl: async () => (await positionService.pnl({})).total.net,
          cancelOpenOrders: (filter, reason) => cancelOpenOrders({ orders: orderService, store }, filter, reason),
          placeOrder: (request) => orderService.placeOrder(request),
        }),
      };
      const { worker, connection } = await createOrderWorker({ address: temporalAddress, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, activities });
      const running = worker.run();
      stops.push(async () => { worker.shutdown(); await running; await connection.close(); });
      await ensureReconciliationSchedule({
        client, taskQueue: env.TEMPORAL_TASK_QUEUE, intervalSeconds: reconciliationConfig.intervalSeconds, enabled: reconciliationConfig.enabled, log,
      });
      const ks = await ensureKillSwitch({ client, taskQueue: env.TEMPORAL_TASK_QUEUE, account, intervalMs: riskConfig.current().config.killSwitch.checkIntervalMs });
      log(`kill switch: workflow ${ks.workflowId}, daily loss check schedule ${ks.scheduleId} every ${riskConfig.current().config.killSwitch.checkIntervalMs} ms`);
    }

    let apiUrl = '';
    if (parts.api !== false) {
      const monitors = new MonitorService({ client, taskQueue: env.TEMPORAL_TASK_QUEUE, workflowConfig, policyFor: (o) => monitorPolicyFor(monitorConfig, o) });
      const orders = new OrderService({ client, store, taskQueue: env.TEMPORAL_TASK_QUEUE, apiSecret: broker.apiSecret, workflowConfig, ladderFor: execution.ladderFor, monitors });
      const groupService = new GroupService({ client, groups, taskQueue: env.TEMPORAL_TASK_QUEUE, workflowConfig });
      const killSwitch = new KillSwitchService({ client, store: killSwitches, taskQueue: env.TEMPORAL_TASK_QUEUE, account });
      const app = createApp({
        orders, groups: groupService, monitors, access, riskConfig, positions: positionService, executionReport: (id) => executionReport(store, id),
        saveAccessToken: (token) => sessions.saveAccessToken(account, token), health: async () => ({ mode: env.BROKER_MODE }),
        killSwitch, liveOrders: store, reports: new ReportService(new ReportStore(db)),
        reconciliation: new ReconciliationService(new ReconciliationStore(db)),
      });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(env.API_PORT, env.API_HOST, () => resolve(s));
        s.once('error', reject);
      });
      stops.push(() => new Promise((r) => { server.close(() => r(undefined)); server.closeAllConnections(); }));
      const addr = server.address();
      apiUrl = `http://${env.API_HOST}:${typeof addr === 'object' && addr ? addr.port : env.API_PORT}`;
    }
    return { apiUrl, temporalAddress, temporalUiUrl, databaseUrl, paperBrokerUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
