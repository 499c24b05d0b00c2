import express, { type Express, type RequestHandler } from 'express';
import { errorMiddleware } from './error-middleware';
import type { OrderService } from '../services/order-service';
import { orderRoutes } from './routes/order-routes';
import { groupRoutes } from './routes/group-routes';
import type { GroupService } from '../services/group-service';
import { webhookRoutes } from './routes/webhook-routes';
import { riskRoutes, type RiskConfigView } from './routes/risk-routes';
import { operatorRoutes } from './routes/operator-routes';
import { AppError } from '../services/app-errors';
import { authenticate, requireRole } from './auth';
import { keyLimits, type KeyLimits } from './key-limits';
import type { AccessControl } from '../config/access-config';
import { positionRoutes } from './routes/positions-routes';
import type { PositionService } from '../services/position-service';
import { reconciliationRoutes } from './routes/reconciliation-routes';
import type { ReconciliationService } from '../services/reconciliation-service';
import type { KillSwitchService } from '../services/kill-switch-service';
import type { ReportService } from '../services/report-service';
import type { OrderStore } from '../store/order-store';
import { killSwitchRoutes } from './routes/kill-switch-routes';
import { reportRoutes } from './routes/report-routes';
import { monitorRoutes } from './routes/monitor-routes';
import { accountRoutes } from './routes/account-routes';
import { eventRoutes } from './routes/event-routes';
import { metricsRoutes, requestMetrics } from './metrics-routes';
import type { OmsMetrics } from '../metrics/oms-metrics';
import type { EventStreamService } from '../services/event-stream';
import type { AccountSessions } from '../services/account-sessions';
import type { MonitorService } from '../services/monitor-service';
import type { Logger } from '../infra/logger';
import { requestLog } from './request-log';
import { openApiRoutes } from './openapi/openapi-routes';

export interface AppDeps {
  orders: OrderService;
  /** OCO and bracket groups (absent: the routes answer 404). */
  groups?: GroupService;
  /** API keys and roles: every /api/v1 route but the broker webhook needs a key. */
  access: AccessControl;
  /** Per-key rate and concurrency limits (none when absent). */
  keyLimits?: KeyLimits;
  riskConfig?: RiskConfigView;
  /** Positions and P&L (absent: the routes answer 404). */
  positions?: PositionService;
  /** Reconciliation runs and findings (absent: 404). */
  reconciliation?: ReconciliationService;
  /** Position monitors (absent: the routes answer 404). */
  monitors?: MonitorService;
  /** An order's execution report (absent: 404). */
  executionReport?: (orderId: string) => Promise<unknown>;
  saveAccessToken?: (accessToken: string, account?: string) => Promise<{ updatedAt: Date }>;
  /** The daily Kite login and the session's state (absent: /api/v1/accounts answers 404). */
  brokerSessions?: Pick<AccountSessions, 'loginUrl' | 'completeLogin' | 'status'>;
  /** GET /api/v1/accounts (absent: 404). */
  accountList?: () => Promise<unknown[]>;
  /** The kill switch (absent: its routes answer 404). */
  killSwitch?: KillSwitchService;
  /** Live orders for POST /orders/cancel-all (absent: 404). */
  liveOrders?: Pick<OrderStore, 'listLiveOrders'>;
  /** Metrics summary and audit export (absent: 404). */
  reports?: ReportService;
  /** The event stream (absent: /api/v1/events answers 404). */
  events?: EventStreamService;
  health?: () => Promise<Record<string, unknown>>;
  /** GET /metrics and the request measures (absent: 404). */
  metrics?: { registry: OmsMetrics; sdkMetricsUrl?: string };
  /** GET /ready: whether the deployment can take orders, with the reason per dependency when not (absent: 404). */
  ready?: () => Promise<{ ready: boolean; checks: Record<string, { ok: boolean; reason?: string }> }>;
  log?: (msg: string, err?: unknown) => void;
  /** Structured logs: the request log (absent: request ids are still given, nothing is logged), and errors when `log` is absent. */
  logger?: Logger;
}

/** Where the API's errors go without `deps.log`: the logger's `api` records, else stderr. */
function apiLog(logger: Logger | undefined): (msg: string, err?: unknown) => void {
  if (!logger) return (msg, err) => console.error(msg, ...(err === undefined ? [] : [err]));
  const api = logger.child({ component: 'api' });
  return (msg, err) => (err === undefined ? api.error(msg) : api.error({ err }, msg));
}

/**
 * A body that is not JSON is refused (415), never ignored: a filter sent as text/plain to cancel-all would otherwise
 * be read as "no filter" and cancel every live order.
 */
const jsonBodiesOnly: RequestHandler = (req, _res, next) => {
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is('application/json')) return next();
  next(new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'a request body must be JSON (Content-Type: application/json)'));
};

/** The HTTP API, without listening (server.ts / main.ts listen). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLog(deps.logger)); // first: every answer, refusals included, has its id and its record
  const log = deps.log ?? apiLog(deps.logger);
  if (deps.metrics) app.use(requestMetrics(deps.metrics.registry));
  app.use(jsonBodiesOnly);
  app.use(express.json({ limit: '100kb' }));
  app.get('/health', async (_req, res) => {
    res.json({ status: 'ok', ...(deps.health ? await deps.health() : {}) });
  });
  if (deps.metrics) app.use(metricsRoutes(deps.metrics.registry, deps.metrics.sdkMetricsUrl));
  if (deps.ready) {
    const ready = deps.ready;
    app.get('/ready', async (_req, res) => {
      const r = await ready();
      res.status(r.ready ? 200 : 503).json({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks });
    });
  }
  app.use('/api/v1/webhooks', webhookRoutes(deps.orders)); // authenticated by Kite's checksum instead
  app.use('/api/v1', openApiRoutes()); // the contract is public: GET /api/v1/openapi.json and /api/v1/docs
  const authenticated = authenticate(deps.access);
  const limited = deps.keyLimits ? keyLimits(deps.keyLimits) : null;
  const authed: RequestHandler[] = limited ? [authenticated, limited] : [authenticated];
  // Before the authenticated routers: the login and Kite's redirect back are public (account-routes.ts says why).
  if (deps.brokerSessions) app.use('/api/v1/accounts', accountRoutes({ sessions: deps.brokerSessions, authed, list: deps.accountList }));
  if (deps.liveOrders) app.use('/api/v1', authed, killSwitchRoutes({ killSwitch: deps.killSwitch, cancel: { orders: deps.orders, store: deps.liveOrders } }));
  app.use('/api/v1/orders', authed, orderRoutes(deps.orders, deps.executionReport));
  if (deps.positions) app.use('/api/v1', authed, positionRoutes(deps.positions));
  if (deps.events) app.use('/api/v1', authed, eventRoutes(deps.events, (line) => log(line)));
  if (deps.reconciliation) app.use('/api/v1/reconciliation', authed, reconciliationRoutes(deps.reconciliation));
  if (deps.groups) app.use('/api/v1/groups', authed, groupRoutes(deps.groups));
  if (deps.monitors) app.use('/api/v1/monitors', authed, monitorRoutes(deps.monitors));
  if (deps.riskConfig) app.use('/api/v1/risk', authed, requireRole('operator'), riskRoutes(deps.riskConfig));
  if (deps.reports) app.use('/api/v1', authed, reportRoutes(deps.reports, (id) => deps.orders.strategyOf(id)));
  if (deps.saveAccessToken) app.use('/api/v1', authed, operatorRoutes({ orders: deps.orders, saveAccessToken: deps.saveAccessToken }));
  app.use((req, _res, next) => next(new AppError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorMiddleware(log));
  return app;
}
