import express, { type Express } from 'express';
import { errorMiddleware } from './error-middleware';
import type { OrderService } from './order-service';
import { orderRoutes } from './routes/order-routes';
import { webhookRoutes } from './routes/webhook-routes';
import { riskRoutes, type RiskConfigView } from './routes/risk-routes';
import { AppError } from './app-errors';

export interface AppDeps {
  orders: OrderService;
  riskConfig?: RiskConfigView;
  health?: () => Promise<Record<string, unknown>>;
  log?: (msg: string, err?: unknown) => void;
}

/** The HTTP API, without listening (server.ts / main.ts listen). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '100kb' }));
  app.get('/health', async (_req, res) => {
    res.json({ status: 'ok', ...(deps.health ? await deps.health() : {}) });
  });
  app.use('/api/v1/orders', orderRoutes(deps.orders));
  app.use('/api/v1/webhooks', webhookRoutes(deps.orders));
  if (deps.riskConfig) app.use('/api/v1/risk', riskRoutes(deps.riskConfig));
  app.use((req, _res, next) => next(new AppError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`)));
  app.use(errorMiddleware(deps.log ?? ((msg, err) => console.error(msg, err))));
  return app;
}
