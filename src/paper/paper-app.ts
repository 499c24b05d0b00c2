import express from 'express';
import { controlRoutes, type ControlDeps } from './control-routes';
import { kiteMarketRoutes } from './kite-market-routes';
import { kiteOrderRoutes } from './kite-order-routes';
import { kitePortfolioRoutes } from './kite-portfolio-routes';
import { loginRoutes } from './login-routes';
import { authMiddleware, errorHandler, faultMiddleware, notFound, placeStatsMiddleware, rateLimitMiddleware } from './middleware';

/**
 * The HTTP surface: /control and the login flow (no auth) first, then Kite's gateway order — auth, arrival stats, injected
 * faults, order rate limit — then the Kite routes and one error handler. Does not listen.
 */
export function createPaperApp(deps: ControlDeps, pendingTimers: Set<NodeJS.Timeout>): express.Express {
  const { state, desk } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  // Any request that may change the book (a refused modify still counts, a control call may move a price) saves it.
  app.use((req, res, next) => {
    if (req.method !== 'GET') res.on('finish', () => state.changed());
    next();
  });
  app.use(controlRoutes(deps));
  app.use(loginRoutes(state)); // how a token is got: before the token check
  app.use(authMiddleware(state));
  app.use(placeStatsMiddleware(state));
  app.use(faultMiddleware(state, pendingTimers));
  app.use(rateLimitMiddleware(state));
  app.use(kiteOrderRoutes({ state, desk, pendingTimers }));
  app.use(kiteMarketRoutes(state));
  app.use(kitePortfolioRoutes(state));
  app.use(notFound);
  app.use(errorHandler(state.settings.log));
  return app;
}
