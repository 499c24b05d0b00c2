/**
 * Control interface of the paper broker — JSON in, `{status:'success', data}` out, NO authentication.
 * Several accounts: every route acts on the primary account (the top-level apiKey) unless the query names another
 * with `?account=<apiKey>` (an unknown one: 404 GeneralException). Orders, faults, config, session, WebSocket drop,
 * stats and reset are per account; price and instruments act on the one market all accounts share (any account
 * may be named). POST /control/reset without `?account=` resets every account and the market; with it, only that
 * account's book, faults, stats and config (prices stay). `matching.tickIntervalMs` is a market setting: only the
 * primary account's value drives the price ticks.
 * Errors use Kite's envelope `{status:'error', message, data:null, error_type}` (400 InputException for bad
 * bodies, 404 GeneralException for unknown orders, 400 OrderException for orders that cannot take the action).
 *
 * POST   /control/price                    {exchange, tradingsymbol, last_price}
 *        -> {exchange, tradingsymbol, instrument_token, last_price}   (rounded to the tick; auto matching reacts)
 * POST   /control/orders/:order_id/fill    {quantity?, price?}  (default: all pending; LIMIT/SL at the limit,
 *        MARKET/SL-M at the touch +/- slippage)                      -> {order, trade}
 * POST   /control/orders/:order_id/reject  {message?}            -> {order}   (exchange/RMS rejection)
 * POST   /control/orders/:order_id/cancel  {message?}            -> {order}   (exchange-side cancel)
 * POST   /control/faults   one fault or an array of faults       -> {faults}  (the queue after adding)
 *        {kind:'reject_next', count?=1, error_type, message, status?}   next N placements answer that error
 *        {kind:'http_error', status, count?=1, routes?='orders'|'quotes'|'all'}  answer 5xx/429 without doing anything
 *                                                  ('orders' = POST/PUT/DELETE under /orders)
 *        {kind:'delay', ms, count?=1, routes?='all'|'orders'|'quotes'}            delay handling of N requests
 *        {kind:'accept_then_timeout', count?=1, delayMs?=30000}         place the order, hold the response
 *        {kind:'drop_postbacks', count?}           drop the next N postbacks (no count: all until cleared)
 * GET    /control/faults                       -> {faults}
 * DELETE /control/faults                       -> {faults: []}
 * GET    /control/config                       -> {matching, rateLimit, session, postbackUrl, loginRedirectUrl}
 * POST   /control/config   {matching?, rateLimit?, postbackUrl?: string|null, loginRedirectUrl?: string|null, session?}
 *        (partial) -> the new config   (loginRedirectUrl: where GET /connect/login sends the browser, login-routes.ts)
 * POST   /control/session  {accessToken}   rotate the accepted access token (simulates Kite's daily token expiry)
 * POST   /control/websocket/drop   drop every WebSocket connection (clients reconnect; updates meanwhile are lost)
 * POST   /control/reset    clear orders/trades/positions/faults/stats, restore the initial config, prices, margins
 * GET    /control/orders?tag=T                 -> {count, orders: [{...kite order, requests:{place, modify, cancel},
 *                                                   request_count, history_length}]}
 * GET    /control/stats   -> {placeRequestsReceived, ordersPlaced, modifyRequests, cancelRequests, rateLimited,
 *                              faultsInjected, postbacksSent, postbacksFailed, postbacksDropped,
 *                              websocketConnections, websocketOrderUpdatesSent,
 *                              placeRequests: [{tag, receivedAt (epoch ms, wall clock), status (HTTP)}] (last 10k)}
 * GET    /control/instruments                  -> the instrument list with paper fields (tickPaise, freezeQuantity, ...)
 */
import { Router } from 'express';
import { z } from 'zod';
import { configPatchSchema, type ConfigPatch, type RuntimeConfig } from './config';
import { inputError, sendData } from './errors';
import { faultsBodySchema } from './faults';
import type { MatchingEngine } from './matching-engine';
import { paiseToRupees, roundToTick, rupeesToPaise } from './money';
import { toKiteOrder } from './order-book';
import type { OrderDesk } from './order-commands';
import type { OrderLifecycle } from './order-lifecycle';
import type { PostbackStats } from './postbacks';
import type { PaperState } from './state';

export interface ControlDeps {
  state: PaperState;
  desk: OrderDesk;
  engine: MatchingEngine;
  lifecycle: OrderLifecycle;
  postbackStats: () => PostbackStats;
  /** Kite's WebSocket: open connections and order updates sent. */
  streamStats?: () => { connections: number; sent: number };
  /** Drops every WebSocket connection (its clients reconnect; updates meanwhile are lost, as at Kite). */
  dropWebSockets?: () => void;
  updateConfig: (patch: ConfigPatch) => RuntimeConfig;
  reset: () => void;
}

const priceSchema = z.strictObject({
  exchange: z.string().min(1),
  tradingsymbol: z.string().min(1),
  last_price: z.number().positive(),
});
const fillSchema = z.strictObject({ quantity: z.number().int().positive().optional(), price: z.number().positive().optional() });
const messageSchema = z.strictObject({ message: z.string().min(1).optional() });

/** Test/benchmark control of the simulator (see the block above). */
export function controlRoutes(deps: ControlDeps): Router {
  const router = Router();
  marketAndOrderControls(router, deps);
  simulatorSettings(router, deps);
  inspection(router, deps);
  return router;
}

const body = (raw: unknown): unknown => raw ?? {};
const WORKING = ['OPEN', 'TRIGGER PENDING', 'AMO REQ RECEIVED'];

/** Move the price, fill, reject or cancel an order as the exchange would. */
function marketAndOrderControls(router: Router, { state, desk, engine, lifecycle }: ControlDeps): void {
  router.post('/control/price', (req, res) => {
    const input = priceSchema.parse(body(req.body));
    const instrument = state.registry.find(input.exchange, input.tradingsymbol);
    if (!instrument) throw inputError(`Unknown instrument ${input.exchange}:${input.tradingsymbol}.`);
    const paise = Math.max(instrument.tickPaise, roundToTick(Math.round(input.last_price * 100), instrument.tickPaise));
    engine.setPrice(instrument, paise);
    sendData(res, {
      exchange: instrument.exchange, tradingsymbol: instrument.tradingsymbol,
      instrument_token: instrument.instrument_token, last_price: paiseToRupees(paise),
    });
  });

  router.post('/control/orders/:order_id/fill', (req, res) => {
    const input = fillSchema.parse(body(req.body));
    const rec = desk.get(String(req.params.order_id));
    const price = input.price === undefined ? undefined : rupeesToPaise(input.price);
    if (price === null) throw inputError('Invalid `price`.');
    const trade = engine.fillNow(rec, input.quantity, price);
    sendData(res, { order: toKiteOrder(rec.state), trade });
  });

  for (const [action, done] of [['reject', 'rejected'], ['cancel', 'cancelled']] as const) {
    router.post(`/control/orders/:order_id/${action}`, (req, res) => {
      const input = messageSchema.parse(body(req.body));
      const rec = desk.get(String(req.params.order_id));
      if (!WORKING.includes(rec.state.status)) throw inputError(`Order is ${rec.state.status}; only working orders can be ${done}.`);
      if (action === 'reject') lifecycle.reject(rec, input.message ?? 'Rejected by the exchange (paper).');
      else lifecycle.cancel(rec, input.message ?? 'Cancelled by the exchange (paper).', false);
      sendData(res, { order: toKiteOrder(rec.state) });
    });
  }
}

/** Faults, runtime configuration, a new daily session, reset. */
function simulatorSettings(router: Router, deps: ControlDeps): void {
  const { state } = deps;
  router.post('/control/faults', (req, res) => {
    const parsed = faultsBodySchema.parse(req.body);
    for (const fault of Array.isArray(parsed) ? parsed : [parsed]) state.faults.add(fault);
    sendData(res, { faults: state.faults.list() });
  });
  router.get('/control/faults', (_req, res) => sendData(res, { faults: state.faults.list() }));
  router.delete('/control/faults', (_req, res) => {
    state.faults.clear();
    sendData(res, { faults: [] });
  });

  router.get('/control/config', (_req, res) => sendData(res, state.config));
  router.post('/control/config', (req, res) => {
    sendData(res, deps.updateConfig(configPatchSchema.parse(body(req.body))));
  });

  /** POST /control/session {accessToken} — a new daily login: the old access token now answers 403 TokenException. */
  router.post('/control/session', (req, res) => {
    const { accessToken } = z.strictObject({ accessToken: z.string().min(1) }).parse(body(req.body));
    state.settings.accessToken = accessToken;
    sendData(res, { rotated: true });
  });

  router.post('/control/websocket/drop', (_req, res) => {
    deps.dropWebSockets?.();
    sendData(res, { dropped: true });
  });

  router.post('/control/reset', (_req, res) => {
    deps.reset();
    sendData(res, { reset: true });
  });
}

/** What the simulator holds: orders with their request counts, statistics, instruments. */
function inspection(router: Router, deps: ControlDeps): void {
  const { state } = deps;
  router.get('/control/orders', (req, res) => {
    const tag = typeof req.query.tag === 'string' ? req.query.tag : undefined;
    const orders = state.book
      .all()
      .filter((r) => tag === undefined || r.state.tag === tag)
      .map((r) => ({
        ...toKiteOrder(r.state),
        requests: { ...r.requests },
        request_count: r.requests.place + r.requests.modify + r.requests.cancel,
        history_length: r.history.length,
      }));
    sendData(res, { count: orders.length, orders });
  });

  router.get('/control/stats', (_req, res) => {
    const p = deps.postbackStats();
    const s = deps.streamStats?.();
    sendData(res, {
      ...state.stats,
      postbacksSent: p.sent,
      postbacksFailed: p.failed,
      postbacksDropped: p.dropped,
      ...(s ? { websocketConnections: s.connections, websocketOrderUpdatesSent: s.sent } : {}),
      placeRequests: state.stats.placeRequests.map((r) => ({ ...r })),
    });
  });

  router.get('/control/instruments', (_req, res) => sendData(res, state.registry.list));
}
