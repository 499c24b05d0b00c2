import { z } from 'zod';
import { toPaise } from '../domain/money';
import { INTERVENTION_ACTIONS } from '../domain/order-state';
import { ChaseSchema, CompletionSchema, FallbackOverrideSchema } from '../config/execution-config';
import { EXCHANGES, ORDER_STATUSES, ORDER_TYPES, PRODUCTS, SIDES, VALIDITIES, VARIETIES } from '../domain/order-types';

/** A price in rupees, as a JSON number or a decimal string, to at most 2 decimals; becomes integer paise. */
export const price = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const paise = toPaise(v);
  if (paise === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a decimal number of rupees with at most 2 decimals' });
    return z.NEVER;
  }
  return paise;
});

export const PlaceOrderBody = z.object({
  clientOrderId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, '1-64 chars of letters, digits, _ . : -'),
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -'),
  tradingsymbol: z.string().regex(/^[A-Z0-9&_-]{1,40}$/, 'an upper-case Kite tradingsymbol'),
  exchange: z.enum(EXCHANGES),
  side: z.enum(SIDES),
  quantity: z.number().int().positive(),
  orderType: z.enum(ORDER_TYPES),
  product: z.enum(PRODUCTS).default('NRML'),
  validity: z.enum(VALIDITIES).default('DAY'),
  validityTtlMinutes: z.number().int().min(1).max(375).optional(),
  variety: z.enum(VARIETIES).default('regular'),
  price: price.optional(),
  triggerPrice: price.optional(),
  stopLoss: price.optional(),
  takeProfit: price.optional(),
  disclosedQuantity: z.number().int().min(0).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** Above the freeze quantity (or the configured slice size) place the order as up to 10 slices. */
  split: z.boolean().optional(),
  /** The execution ladder: chase a resting LIMIT towards the market, then optionally convert it to MARKET. */
  execution: z.strictObject({
    chase: ChaseSchema.optional(),
    /** What to do with the rest of a partly filled order. */
    completion: CompletionSchema.optional(),
    /** Which broker rejections start which fallback rungs for this order (over the strategy's configuration). */
    fallback: FallbackOverrideSchema.optional(),
  }).optional(),
}).strict().refine((b) => !b.execution?.chase || b.orderType === 'LIMIT', { message: 'only LIMIT orders can be chased', path: ['execution', 'chase'] });
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

export const ModifyOrderBody = z.object({
  quantity: z.number().int().positive().optional(),
  price: price.optional(),
  triggerPrice: price.optional(),
  orderType: z.enum(ORDER_TYPES).optional(),
}).strict().refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of quantity, price, triggerPrice, orderType' });

export const ListOrdersQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  tradingsymbol: z.string().optional(),
  strategyId: z.string().optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().optional(),
}).strict();

export const OrderIdParam = z.object({ id: z.string().regex(/^order-[A-Za-z0-9_.:-]{1,64}$/, 'an order id (order-<clientOrderId>)') });

/** Kite postback body (JSON). Only what the OMS needs is required; Kite sends more. */
export const KitePostback = z.object({
  order_id: z.union([z.string(), z.number()]).transform(String),
  order_timestamp: z.string(),
  checksum: z.string(),
  status: z.string(),
  tag: z.string().nullish(),
  filled_quantity: z.coerce.number().optional(),
  average_price: z.coerce.number().optional(),
}).passthrough();

/** POST /api/v1/orders/:id/interventions */
export const InterventionBody = z.strictObject({
  action: z.enum(INTERVENTION_ACTIONS),
  note: z.string().max(500).optional(),
  /** The new terms for `modify` (a manual review after a broker rejection). */
  quantity: z.number().int().positive().optional(),
  price: price.optional(),
  triggerPrice: price.optional(),
  orderType: z.enum(ORDER_TYPES).optional(),
}).refine((b) => b.action !== 'modify' || [b.quantity, b.price, b.triggerPrice, b.orderType].some((v) => v !== undefined), { message: 'modify needs at least one of quantity, price, triggerPrice, orderType', path: ['action'] });

/** POST /api/v1/broker/session — the fresh daily access token from Kite's login flow. */
export const BrokerSessionBody = z.strictObject({ accessToken: z.string().regex(/^[A-Za-z0-9_-]{8,200}$/, 'a Kite access token') });
