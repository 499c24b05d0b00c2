import { Router, type Response } from 'express';
import { KiteApiError, sendData } from './errors';
import { toKiteOrder } from './order-book';
import type { OrderDesk } from './order-commands';
import type { PaperState } from './state';

export interface OrderRouteDeps {
  state: PaperState;
  desk: OrderDesk;
  /** Timers of held responses (accept_then_timeout), cleared on close. */
  pendingTimers: Set<NodeJS.Timeout>;
}

function holdThenSend(res: Response, delayMs: number, data: unknown, pendingTimers: Set<NodeJS.Timeout>): void {
  const timer = setTimeout(() => {
    pendingTimers.delete(timer);
    if (!res.writableEnded && !res.destroyed && !res.socket?.destroyed) sendData(res, data);
  }, delayMs);
  pendingTimers.add(timer);
}

const param = (value: string | string[] | undefined): string => (Array.isArray(value) ? value[0] ?? '' : value ?? '');

/** Kite's order endpoints: place, modify, cancel, order book, history, trades. */
export function kiteOrderRoutes({ state, desk, pendingTimers }: OrderRouteDeps): Router {
  const router = Router();

  /** POST /orders/:variety — place an order; 200 means accepted, not executed. */
  router.post('/orders/:variety', (req, res) => {
    const rejection = state.faults.take('reject_next');
    if (rejection) {
      state.stats.faultsInjected += 1;
      throw new KiteApiError(rejection.error_type, rejection.message, rejection.status);
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const variety = param(req.params.variety);
    let data: object;
    if (body.autoslice === 'true' || body.autoslice === true) {
      const children = desk.placeAutosliced(variety, body);
      data = { order_id: children[0]?.state.orderId, children: children.map((c) => ({ order_id: c.state.orderId })) };
    } else {
      data = { order_id: desk.place(variety, body).state.orderId };
    }
    const hold = state.faults.take('accept_then_timeout');
    if (!hold) return sendData(res, data);
    state.stats.faultsInjected += 1;
    holdThenSend(res, hold.delayMs, data, pendingTimers);
  });

  /** PUT /orders/:variety/:order_id — modify a working order. */
  router.put('/orders/:variety/:order_id', (req, res) => {
    state.stats.modifyRequests += 1;
    const rec = desk.modify(param(req.params.order_id), req.body);
    sendData(res, { order_id: rec.state.orderId });
  });

  /** DELETE /orders/:variety/:order_id — cancel the unfilled rest of a working order. */
  router.delete('/orders/:variety/:order_id', (req, res) => {
    state.stats.cancelRequests += 1;
    const rec = desk.cancel(param(req.params.order_id));
    sendData(res, { order_id: rec.state.orderId });
  });

  /** GET /orders — today's orders, current state of each. */
  router.get('/orders', (_req, res) => {
    sendData(res, state.book.all().map((r) => toKiteOrder(r.state)));
  });

  /** GET /orders/:order_id — the order's history; the last entry is the current state. */
  router.get('/orders/:order_id', (req, res) => {
    sendData(res, desk.get(param(req.params.order_id)).history);
  });

  /** GET /orders/:order_id/trades — fills of one order. */
  router.get('/orders/:order_id/trades', (req, res) => {
    sendData(res, desk.get(param(req.params.order_id)).trades);
  });

  /** GET /trades — today's fills. */
  router.get('/trades', (_req, res) => {
    sendData(res, state.book.trades());
  });

  return router;
}
