import { Router } from 'express';
import { applyConfigPatch, initialConfig, type ConfigPatch, type RuntimeConfig } from './config';
import type { ControlDeps } from './control-routes';
import { FaultQueue } from './faults';
import { kiteMarketRoutes } from './kite-market-routes';
import { kiteOrderRoutes } from './kite-order-routes';
import { kitePortfolioRoutes } from './kite-portfolio-routes';
import { MatchingEngine } from './matching-engine';
import { faultMiddleware, placeStatsMiddleware, rateLimitMiddleware } from './middleware';
import { OrderBook } from './order-book';
import { OrderDesk } from './order-commands';
import { OrderLifecycle } from './order-lifecycle';
import { OrderUpdateStream } from './order-update-stream';
import { Portfolio } from './portfolio';
import { PostbackDispatcher } from './postbacks';
import { SlidingWindowLimiter } from './rate-limit';
import { emptyStats, type PaperSettings, type PaperState } from './state';

/** What the accounts of one broker share: the market, the engines reacting to it, held responses, the save hook. */
export interface SharedParts {
  market: Pick<PaperState, 'registry' | 'prices'>;
  engines: Set<MatchingEngine>;
  pendingTimers: Set<NodeJS.Timeout>;
}

/**
 * One simulated Kite account: its state (book, portfolio, funds, config, faults, limiter, stats), the components
 * acting on it, and its HTTP routes (Kite's, behind the token check, and the control routes).
 */
export class PaperAccount {
  readonly state: PaperState;
  readonly postbacks: PostbackDispatcher;
  readonly stream: OrderUpdateStream;
  readonly lifecycle: OrderLifecycle;
  readonly engine: MatchingEngine;
  readonly desk: OrderDesk;
  /** Kite's routes for this account (the token check picked it). */
  readonly kiteRouter: Router;

  constructor(
    settings: PaperSettings,
    private readonly initialPatch: ConfigPatch,
    shared: SharedParts,
  ) {
    const state: PaperState = {
      settings, config: initialConfig(initialPatch), ...shared.market, book: new OrderBook(), portfolio: new Portfolio(),
      faults: new FaultQueue(), limiter: new SlidingWindowLimiter(), stats: emptyStats(), changed: () => undefined,
    };
    this.state = state;
    this.postbacks = new PostbackDispatcher({
      url: () => state.config.postbackUrl,
      apiSecret: settings.apiSecret,
      shouldDrop: () => state.faults.take('drop_postbacks') !== undefined,
      log: settings.log,
    });
    this.stream = new OrderUpdateStream(state);
    this.lifecycle = new OrderLifecycle(state, this.postbacks, this.stream);
    this.engine = new MatchingEngine(state, this.lifecycle, shared.engines);
    this.desk = new OrderDesk(state, this.lifecycle);
    this.kiteRouter = this.kiteRoutes(shared.pendingTimers);
  }

  get apiKey(): string {
    return this.state.settings.apiKey;
  }

  /** The `Authorization` header Kite's routes accept for this account. */
  get authorization(): string {
    return `token ${this.state.settings.apiKey}:${this.state.settings.accessToken}`;
  }

  /** Clears this account's book, positions, faults, limiter and stats and restores its initial config (not the market). */
  reset(): void {
    const { state } = this;
    this.engine.stop();
    Object.assign(state, { config: initialConfig(this.initialPatch), stats: emptyStats() });
    state.book.clear();
    state.portfolio.clear();
    state.faults.clear();
    state.limiter.clear();
    this.postbacks.resetStats();
    this.stream.sent = 0;
    this.engine.start();
    state.changed();
  }

  updateConfig(patch: ConfigPatch): RuntimeConfig {
    this.state.config = applyConfigPatch(this.state.config, patch);
    this.engine.start();
    return this.state.config;
  }

  /** What this account's control routes act on; `reset` is what POST /control/reset does there. */
  controlDeps(reset: () => void): ControlDeps {
    return {
      state: this.state, desk: this.desk, engine: this.engine, lifecycle: this.lifecycle,
      postbackStats: () => this.postbacks.stats,
      streamStats: () => ({ connections: this.stream.connections, sent: this.stream.sent }),
      dropWebSockets: () => this.stream.close(),
      updateConfig: (patch) => this.updateConfig(patch),
      reset,
    };
  }

  /** Kite's gateway order after the token check: arrival stats, injected faults, order rate limit, then the routes. */
  private kiteRoutes(pendingTimers: Set<NodeJS.Timeout>): Router {
    const { state, desk } = this;
    const router = Router();
    router.use(placeStatsMiddleware(state));
    router.use(faultMiddleware(state, pendingTimers));
    router.use(rateLimitMiddleware(state));
    router.use(kiteOrderRoutes({ state, desk, pendingTimers }));
    router.use(kiteMarketRoutes(state));
    router.use(kitePortfolioRoutes(state));
    return router;
  }
}
