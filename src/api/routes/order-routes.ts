import { Router, type Response } from 'express';
import { canActFor } from '../../config/access-config';
import { toChasePolicy, toCompletionPolicy } from '../../config/execution-config';
import { AppError, notFound } from '../../services/app-errors';
import { actorOf, principalOf, requireRole } from '../auth';
import { requestIdOf } from '../request-log';
import type { OrderRequest } from '../../domain/order-types';
import { InterventionBody, ListOrdersQuery, ModifyOrderBody, OrderIdParam, PlaceOrderBody } from '../order-schemas';
import type { OrderService } from '../../services/order-service';

function toRequest(b: PlaceOrderBody): OrderRequest {
  const { price, triggerPrice, stopLoss, takeProfit, execution, ...rest } = b;
  return {
    ...rest,
    ...(execution ? { execution: toExecution(execution) } : {}),
    ...(price !== undefined ? { pricePaise: price } : {}),
    ...(triggerPrice !== undefined ? { triggerPricePaise: triggerPrice } : {}),
    ...(stopLoss !== undefined ? { stopLossPaise: stopLoss } : {}),
    ...(takeProfit !== undefined ? { takeProfitPaise: takeProfit } : {}),
  };
}

function toExecution(e: NonNullable<PlaceOrderBody['execution']>): NonNullable<OrderRequest['execution']> {
  const out: NonNullable<OrderRequest['execution']> = {};
  const { chase, completion, fallback } = e;
  if (fallback) out.fallback = fallback;
  if (chase) out.chase = toChasePolicy(chase);
  if (completion) out.completion = toCompletionPolicy(completion);
  return out;
}

/** /api/v1/orders: place, read, list, modify, cancel. Thin: parse, check the caller may act, call the service, answer. */
export function orderRoutes(service: OrderService, report?: (orderId: string) => Promise<unknown>): Router {
  const r = Router();
  /** A strategy key sees only its own strategies' orders; another's order is simply not found. */
  const ownOrder = async (res: Response, id: string) => {
    const p = principalOf(res);
    if (p.strategies === 'all') return;
    const owner = await service.strategyOf(id);
    if (!owner || !canActFor(p, owner)) throw notFound(`order ${id}`);
  };

  /** Places an order; the client order id is the idempotency key. 202 once validated and persisted. */
  r.post('/', async (req, res) => {
    const body = PlaceOrderBody.parse(req.body);
    if (!canActFor(principalOf(res), body.strategyId)) throw new AppError(403, 'STRATEGY_NOT_ALLOWED', `this key may not place orders for strategy ${body.strategyId}`);
    const { created, order } = await service.placeOrder(toRequest(body), { requestId: requestIdOf(res) });
    res.status(created ? 202 : 200).location(`/api/v1/orders/${order.orderId}`).json({ order });
  });

  /** Lists orders, newest first, with filters and cursor paging. */
  r.get('/', async (req, res) => {
    const q = ListOrdersQuery.parse(req.query);
    const p = principalOf(res);
    if (q.strategyId && !canActFor(p, q.strategyId)) throw new AppError(403, 'STRATEGY_NOT_ALLOWED', `this key may not read strategy ${q.strategyId}`);
    res.json(await service.listOrders({ ...q, strategyIds: p.strategies === 'all' ? undefined : p.strategies }));
  });

  /** One order with fills and status history. */
  r.get('/:id', async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    await ownOrder(res, id);
    res.json({ order: await service.getOrder(id) });
  });

  /** The execution report: fills, average price, slippage against arrival and limit, charges, timings (Postgres). */
  if (report) {
    r.get('/:id/report', async (req, res) => {
      const { id } = OrderIdParam.parse(req.params);
      await ownOrder(res, id);
      res.json({ report: await report(id) });
    });
  }

  /** Modifies a working order; answers when the broker has confirmed. */
  r.patch('/:id', async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    const b = ModifyOrderBody.parse(req.body);
    await ownOrder(res, id);
    const order = await service.modifyOrder(id, {
      ...(b.quantity !== undefined ? { quantity: b.quantity } : {}),
      ...(b.price !== undefined ? { pricePaise: b.price } : {}),
      ...(b.triggerPrice !== undefined ? { triggerPricePaise: b.triggerPrice } : {}),
      ...(b.orderType !== undefined ? { orderType: b.orderType } : {}),
    }, actorOf(principalOf(res)));
    res.json({ order });
  });

  /**
   * Cancels a working order; answers when the broker has confirmed (200), at once with 202 when the order waits for an
   * operator (the cancel is queued and sent once it goes on), and with the order when it is already cancelled.
   */
  r.delete('/:id', async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    await ownOrder(res, id);
    const order = await service.cancelOrder(id, undefined, actorOf(principalOf(res)));
    const queued = order.intervention !== null && order.status !== 'CANCELLED';
    if (!queued) return void res.json({ order });
    const reason = (order.intervention as { reason?: string }).reason ?? 'an operator decision';
    res.status(202).json({ order, cancel: { status: 'QUEUED', message: `the order waits for ${reason}; the cancel is sent to the broker as soon as it goes on` } });
  });

  /** An operator's decision for an order waiting for one (resume after a fresh token, or abandon). */
  r.post('/:id/interventions', requireRole('operator'), async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    const { action, note, quantity, price, triggerPrice, orderType } = InterventionBody.parse(req.body);
    const changes = action === 'modify' ? { quantity, pricePaise: price, triggerPricePaise: triggerPrice, orderType } : undefined;
    res.json({ order: await service.intervene(id, { action, note, by: actorOf(principalOf(res)), ...(changes ? { changes: JSON.parse(JSON.stringify(changes)) } : {}) }) });
  });

  return r;
}
