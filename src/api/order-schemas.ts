import { z } from 'zod';
import { toPaise } from '../domain/money';
import { INTERVENTION_ACTIONS } from '../domain/order-state';
import { ChaseSchema, CompletionSchema, FallbackOverrideSchema } from '../config/execution-config';
import { dateFilter, INT32_MAX, isStorableText, MAX_PRICE_PAISE, metadataSchema, safeText } from './safe-input';
import { EXCHANGES, ORDER_STATUSES, ORDER_TYPES, PRODUCTS, SIDES, VALIDITIES, VARIETIES } from '../domain/order-types';

/** A price in rupees, as a JSON number or a decimal string, to at most 2 decimals; becomes integer paise. */
export const price = z.union([z.number(), z.string().max(32)]).transform((v, ctx) => {
  const paise = toPaise(v);
  if (paise === null) {
    ctx.addIssue({ code: 'custom', message: 'must be a decimal number of rupees with at most 2 decimals' });
    return z.NEVER;
  }
  if (paise > MAX_PRICE_PAISE) {
    ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_PRICE_PAISE / 100} rupees` });
    return z.NEVER;
  }
  return paise;
});

/** A quantity in units: a positive Postgres integer. */
const quantity = z.number().int().positive().max(INT32_MAX);

export const PlaceOrderBody = z.object({
  clientOrderId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, '1-64 chars of letters, digits, _ . : -'),
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -'),
  tradingsymbol: z.string().regex(/^[A-Z0-9&_-]{1,40}$/, 'an upper-case Kite tradingsymbol'),
  exchange: z.enum(EXCHANGES),
  side: z.enum(SIDES),
  quantity,
  orderType: z.enum(ORDER_TYPES),
  product: z.enum(PRODUCTS).default('NRML'),
  validity: z.enum(VALIDITIES).default('DAY'),
  validityTtlMinutes: z.number().int().min(1).max(375).optional(),
  variety: z.enum(VARIETIES).default('regular'),
  price: price.optional(),
  triggerPrice: price.optional(),
  stopLoss: price.optional(),
  takeProfit: price.optional(),
  disclosedQuantity: z.number().int().min(0).max(INT32_MAX).optional(),
  metadata: metadataSchema.optional(),
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
  quantity: quantity.optional(),
  price: price.optional(),
  triggerPrice: price.optional(),
  orderType: z.enum(ORDER_TYPES).optional(),
}).strict().refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of quantity, price, triggerPrice, orderType' });

export const ListOrdersQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  tradingsymbol: z.string().regex(/^[A-Z0-9&_-]{1,40}$/, 'an upper-case Kite tradingsymbol').optional(),
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -').optional(),
  from: dateFilter.optional(),
  to: dateFilter.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().regex(/^order-[A-Za-z0-9_.:-]{1,64}$/, 'a cursor from an earlier page').optional(),
}).strict();

export const OrderIdParam = z.object({ id: z.string().regex(/^order-[A-Za-z0-9_.:-]{1,64}$/, 'an order id (order-<clientOrderId>)') });

/**
 * Kite postback body (JSON). Only what the OMS needs is required, and strictly: the checksum covers the order id and
 * timestamp only, so the status, tag and figures must look like Kite's own before they reach a workflow.
 */
export const KitePostback = z.object({
  order_id: z.union([z.string().regex(/^[0-9A-Za-z-]{1,40}$/), z.number().int().nonnegative()]).transform(String),
  order_timestamp: z.string().max(40).refine(isStorableText),
  checksum: z.string().regex(/^[0-9a-f]{64}$/i, 'a SHA-256 hex digest'),
  status: z.string().regex(/^[A-Z][A-Z ]{0,39}$/, "a Kite order status (upper-case words, e.g. 'OPEN', 'TRIGGER PENDING')"),
  tag: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, 'a Kite order tag').nullish(),
  filled_quantity: z.coerce.number().int().min(0).max(INT32_MAX).optional(),
  average_price: z.coerce.number().finite().min(0).max(MAX_PRICE_PAISE / 100).optional(),
}).passthrough();

/** POST /api/v1/orders/:id/interventions */
export const InterventionBody = z.strictObject({
  action: z.enum(INTERVENTION_ACTIONS),
  note: safeText(500).optional(),
  /** The new terms for `modify` (a manual review after a broker rejection). */
  quantity: quantity.optional(),
  price: price.optional(),
  triggerPrice: price.optional(),
  orderType: z.enum(ORDER_TYPES).optional(),
}).refine((b) => b.action !== 'modify' || [b.quantity, b.price, b.triggerPrice, b.orderType].some((v) => v !== undefined), { message: 'modify needs at least one of quantity, price, triggerPrice, orderType', path: ['action'] });

/** POST /api/v1/broker/session — the fresh daily access token from Kite's login flow. */
export const BrokerSessionBody = z.strictObject({
  accessToken: z.string().regex(/^[A-Za-z0-9_-]{8,200}$/, 'a Kite access token'),
  /** The broker account (default: the default account). */
  account: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'an account id from config/accounts.json').optional(),
});
