import { createActivities } from '../activities/create-activities';
import { createGroupActivities } from '../activities/group-activities';
import { createKillSwitchActivities, type KillSwitchActivities } from '../activities/kill-switch-activities';
import { createMonitorActivities } from '../activities/monitor-activities';
import { createReconciliationActivities, type ReconciliationActivities } from '../activities/reconciliation-activities';
import { createSupervisorActivities } from '../activities/supervisor-activities';
import { reconciliationPass } from '../domain/reconciliation-pass';
import { brokerUpdateSignal } from '../workflows/order-messages';
import { OrderStream } from '../broker/order-stream';
import { paperSessionSource } from '../broker/paper-session';
import { cancelOpenOrders } from '../services/order-cancellation';
import { OrderBookWatcher } from '../services/order-book-watcher';
import { EventDispatcher } from '../services/event-dispatcher';
import { OrderService } from '../services/order-service';
import { ReconciliationStore } from '../store/reconciliation-store';
import { RiskStore } from '../store/risk-store';
import { ensureAccountSupervisor, ensureKillSwitch, removeLegacySchedules } from '../worker/background-workflows';
import { createOrderWorker } from '../worker/order-worker';
import type { SystemCore } from './core';
import type { AccountRuntime } from './accounts';
import type { ShutdownStack } from './shutdown';

/** Runs the order worker with every activity, then makes sure the reconciliation schedule and the kill switch exist. */
export async function startWorker(core: SystemCore, stops: ShutdownStack): Promise<void> {
  const { env, client } = core;
  // The worker's own parts (kill switch, order-book watcher) act through the same order use cases as the API.
  const orders = orderServiceOf(core);
  const { worker, connection } = await createOrderWorker({
    address: core.endpoints.temporalAddress, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, activities: workerActivities(core, orders),
  });
  const running = worker.run();
  // The SDK may have begun the shutdown itself (it handles SIGINT/SIGTERM): only a running worker is asked to stop.
  stops.push(async () => { if (worker.getState() === 'RUNNING') worker.shutdown(); await running; await connection.close(); });
  for (const account of core.accounts.list()) {
    if (env.ORDER_BOOK_POLL_MS > 0) startOrderBookWatcher(core, account, orders, stops);
    if (env.KITE_WEBSOCKET === 'on') startOrderStream(core, account, orders, stops);
  }
  const dispatcher = new EventDispatcher({ store: core.events, tail: core.eventTail, config: core.config.events, log: core.log });
  dispatcher.start();
  stops.push(() => dispatcher.stop());
  // Per account: its kill switch, and its supervisor (daily-loss check and reconciliation against its own broker book).
  for (const account of core.accounts.list()) {
    const ks = await ensureKillSwitch({ client, taskQueue: env.TEMPORAL_TASK_QUEUE, account: account.id });
    const removed = await removeLegacySchedules({ client, taskQueue: env.TEMPORAL_TASK_QUEUE, account: account.id, defaultAccount: account.id === core.accounts.defaultId });
    if (removed.length > 0) core.log(`account ${account.id}: removed the Schedules the supervisor replaces: ${removed.join(', ')}`);
    const supervisor = await ensureAccountSupervisor({ client, taskQueue: env.TEMPORAL_TASK_QUEUE, account: account.id, enabled: env.ACCOUNT_SUPERVISOR === 'on' });
    core.log(`account ${account.id}: kill switch ${ks}, supervisor ${supervisor}${env.ACCOUNT_SUPERVISOR === 'on' ? '' : ' (off: ACCOUNT_SUPERVISOR=off)'}`);
  }
}

/** Reads the account's order book every ORDER_BOOK_POLL_MS and signals the orders whose change is not saved yet. */
function startOrderBookWatcher(core: SystemCore, account: AccountRuntime, orders: OrderService, stops: ShutdownStack): void {
  const watcher = new OrderBookWatcher({
    readBook: () => account.gateway.getOrderBook(), intervalMs: core.env.ORDER_BOOK_POLL_MS, log: core.log,
    known: async (tags) => (await core.store.findByTags(tags)).map((o) => ({ tag: o.tag, status: o.status, brokerStatus: o.brokerStatus, filledQuantity: o.filledQuantity })),
    deliver: (o) => orders.deliverBrokerUpdate(o.tag, { source: 'broker-book', brokerOrderId: o.brokerOrderId, status: o.status, filledQuantity: o.filledQuantity, averagePrice: o.averagePrice }),
  });
  watcher.start();
  stops.push(() => watcher.stop());
}

/**
 * Kite's order updates over its WebSocket, handed to the orders like postbacks (same de-duplication). Paper mode
 * connects to the paper broker's own port; live mode to Kite's wss://ws.kite.trade/ unless KITE_WEBSOCKET_ROOT says else.
 */
function startOrderStream(core: SystemCore, account: AccountRuntime, orders: OrderService, stops: ShutdownStack): void {
  const { env, broker } = core;
  const paperRoot = env.BROKER_MODE === 'paper' ? `${(core.endpoints.paperBrokerUrl ?? broker.root).replace(/^http/, 'ws').replace(/\/+$/, '')}/` : undefined;
  const stream = new OrderStream({
    apiKey: account.settings.apiKey, root: env.KITE_WEBSOCKET_ROOT ?? paperRoot, accessToken: () => account.gateway.currentAccessToken(), log: (line) => core.log(`[${account.id}] ${line}`),
    deliver: (u) => orders.deliverBrokerUpdate(u.tag, { source: 'broker-websocket', brokerOrderId: u.brokerOrderId, status: u.status, filledQuantity: u.filledQuantity, averagePrice: u.averagePrice }),
  });
  stream.start();
  stops.push(() => stream.stop());
}

function orderServiceOf(core: SystemCore): OrderService {
  const { env, config, store, client } = core;
  return new OrderService({
    client, store, taskQueue: env.TEMPORAL_TASK_QUEUE, apiSecret: core.accounts.default.settings.apiSecret, workflowConfig: core.workflowConfig, ladderFor: config.execution.ladderFor,
    hints: core.hints,
  });
}

/** The activities of every workflow, over the process's shared stores, gateway and client. */
function workerActivities(core: SystemCore, orderService: OrderService) {
  const { env, config, store, gateway, positionStore, client, log, accounts } = core;
  const riskConfig = accounts.default.riskConfig;
  const paperRoot = env.BROKER_MODE === 'paper' ? core.endpoints.paperBrokerUrl ?? env.KITE_API_ROOT : undefined;
  const session = paperRoot ? paperSessionSource(paperRoot) : undefined;
  const reconciliation = createReconciliationActivities({
    broker: gateway, brokerFor: (a) => accounts.get(a).gateway, defaultAccount: accounts.defaultId, orders: store, positions: positionStore, reconciliation: new ReconciliationStore(core.db), reconciliationConfig: config.reconciliation, log, alerts: core.alerts,
    session: session ?? (async () => riskConfig.current().config.session),
    lastPrices: async (keys) => new Map([...(await core.marketData.getQuotes(keys))].map(([k, q]) => [k, q.lastPricePaise])),
  });
  const killSwitch = createKillSwitchActivities({
    killSwitches: core.killSwitches, riskConfig, positions: positionStore, client, taskQueue: env.TEMPORAL_TASK_QUEUE, alerts: core.alerts,
    riskConfigFor: (a) => accounts.get(a).riskConfig, accountOf: (s) => accounts.accountOf(s),
    accountNetPnl: async (account) => (await core.positionService.pnl({ account })).total.net,
    cancelOpenOrders: (filter, reason, options) => cancelOpenOrders({ orders: orderService, store }, filter, reason, options),
    placeOrder: (request) => orderService.placeOrder(request),
  });
  return {
    // The monitor cancels OCO groups through their update.
    ...createMonitorActivities({ orders: store, positions: positionStore, brokerPositions: gateway, brokerPositionsFor: (s) => accounts.forStrategy(s).gateway, client }),
    ...createActivities({
      broker: gateway, brokerTimeoutMs: env.KITE_TIMEOUT_MS, settleMs: env.BROKER_SETTLE_MS ?? 2 * env.KITE_TIMEOUT_MS, store, riskConfig, marketData: core.marketData, riskStore: new RiskStore(core.db), log, session, alerts: core.alerts,
      brokerFor: (s) => accounts.forStrategy(s).gateway, accountOf: (s) => accounts.accountOf(s), metrics: core.metrics.gateMetrics(),
      accountFor: (s) => {
        const a = accounts.forStrategy(s);
        return { riskConfig: a.riskConfig, marketData: a.marketData, broker: a.gateway };
      },
    }),
    ...createGroupActivities({ groups: core.groups }),
    ...reconciliation,
    ...killSwitch,
    ...supervisorActivities(core, reconciliation, killSwitch),
  };
}

/** The supervisor's duties over the same activities a hand-started check or reconciliation runs. */
function supervisorActivities(core: SystemCore, r: ReconciliationActivities, k: KillSwitchActivities) {
  const { client, accounts, config } = core;
  return createSupervisorActivities({
    log: core.log,
    cadence: (account) => ({
      lossEveryMs: accounts.get(account).riskConfig.current().config.killSwitch.checkIntervalMs,
      reconcileEveryMs: config.reconciliation.enabled ? config.reconciliation.intervalSeconds * 1000 : null,
    }),
    checkDailyLoss: (account) => k.checkDailyLoss({ account }),
    engageKillSwitch: (account, reason) => k.requestKillSwitch({ account, action: 'engage', reason, by: 'daily-loss-check', source: 'daily-loss-check' }),
    reconcile: (account, runId, startedAt) => reconciliationPass({
      detect: r.detectDiscrepancies,
      settleDuplicate: r.settleDuplicateOrder,
      wake: (orderId, update) => client.workflow.getHandle(orderId).signal(brokerUpdateSignal, update),
      apply: r.applyReconciliation,
      warn: (message, detail) => core.log(`${message} ${JSON.stringify(detail)}`),
    }, { runId, account, startedAt }),
  });
}
