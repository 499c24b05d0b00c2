import { Router } from 'express';
import type { OrderRequest } from '../../domain/order-types';
import { ListOrdersQuery, ModifyOrderBody, OrderIdParam, PlaceOrderBody } from '../order-schemas';
import type { OrderService } from '../order-service';

function toRequest(b: PlaceOrderBody): OrderRequest {
  const { price, triggerPrice, stopLoss, takeProfit, ...rest } = b;
  return {
    ...rest,
    ...(price !== undefined ? { pricePaise: price } : {}),
    ...(triggerPrice !== undefined ? { triggerPricePaise: triggerPrice } : {}),
    ...(stopLoss !== undefined ? { stopLossPaise: stopLoss } : {}),
    ...(takeProfit !== undefined ? { takeProfitPaise: takeProfit } : {}),
  };
}

/** /api/v1/orders: place, read, list, modify, cancel. Thin: parse, call the service, answer. */
export function orderRoutes(service: OrderService): Router {
  const r = Router();

  /** Places an order; the client order id is the idempotency key. 202 once validated and persisted. */
  r.post('/', async (req, res) => {
    const body = PlaceOrderBody.parse(req.body);
    const { created, order } = await service.placeOrder(toRequest(body));
    res.status(created ? 202 : 200).location(`/api/v1/orders/${order.orderId}`).json({ order });
  });

  /** Lists orders, newest first, with filters and cursor paging. */
  r.get('/', async (req, res) => {
    const q = ListOrdersQuery.parse(req.query);
    res.json(await service.listOrders(q));
  });

  /** One order with fills and status history. */
  r.get('/:id', async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    res.json({ order: await service.getOrder(id) });
  });

  /** Modifies a working order; answers when the broker has confirmed. */
  r.patch('/:id', async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    const b = ModifyOrderBody.parse(req.body);
    const order = await service.modifyOrder(id, {
      ...(b.quantity !== undefined ? { quantity: b.quantity } : {}),
      ...(b.price !== undefined ? { pricePaise: b.price } : {}),
      ...(b.triggerPrice !== undefined ? { triggerPricePaise: b.triggerPrice } : {}),
      ...(b.orderType !== undefined ? { orderType: b.orderType } : {}),
    });
    res.json({ order });
  });

  /** Cancels a working order; answers when the broker has confirmed. */
  r.delete('/:id', async (req, res) => {
    const { id } = OrderIdParam.parse(req.params);
    res.json({ order: await service.cancelOrder(id) });
  });

  return r;
}
