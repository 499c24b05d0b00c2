import { z } from 'zod';
import { price } from './order-schemas';
import { validateGroupTerms, type GroupRequest } from '../domain/order-group-legs';
import { EXCHANGES, PRODUCTS, SIDES, VARIETIES } from '../domain/order-types';
import { INT32_MAX, metadataSchema, safeText } from './safe-input';


const common = {
  // Leaves room for the legs' ids: <clientOrderId>-flatten-N must stay within an order's 64 characters.
  clientOrderId: z.string().regex(/^[A-Za-z0-9_.:-]{1,50}$/, '1-50 chars of letters, digits, _ . : -'),
  strategyId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 chars of letters, digits, _ . -'),
  tradingsymbol: z.string().regex(/^[A-Z0-9&_-]{1,40}$/, 'an upper-case Kite tradingsymbol'),
  exchange: z.enum(EXCHANGES),
  product: z.enum(PRODUCTS).default('NRML'),
  variety: z.enum(VARIETIES).default('regular'),
  /** Target LIMIT price; stop trigger, and the stop's SL limit price — without one, 5% beyond the trigger (never SL-M). */
  exits: z.strictObject({ targetPrice: price, stopTriggerPrice: price, stopPrice: price.optional() }),
  metadata: metadataSchema.optional(),
};

const OcoBody = z.strictObject({
  type: z.literal('oco'),
  ...common,
  /** The position the two exits close: BUY = long (the exits sell). */
  position: z.strictObject({ side: z.enum(SIDES), quantity: z.number().int().positive().max(INT32_MAX) }),
});

const BracketBody = z.strictObject({
  type: z.literal('bracket'),
  ...common,
  entry: z.strictObject({
    side: z.enum(SIDES), quantity: z.number().int().positive().max(INT32_MAX), orderType: z.enum(['LIMIT', 'MARKET']), price: price.optional(),
  }),
});

/** POST /api/v1/groups: an OCO pair for a position, or a bracket (entry + OCO exits); prices must suit the side. */
export const PlaceGroupBody = z.discriminatedUnion('type', [OcoBody, BracketBody]).transform((b, ctx) => {
  const request = toGroupRequest(b);
  const invalid = validateGroupTerms(request);
  if (invalid) {
    ctx.addIssue({ code: 'custom', path: invalid.field.split('.'), message: invalid.message });
    return z.NEVER;
  }
  return request;
});

function toGroupRequest(b: z.infer<typeof OcoBody> | z.infer<typeof BracketBody>): GroupRequest {
  const x = b.exits;
  const exits = { targetPricePaise: x.targetPrice, stopTriggerPaise: x.stopTriggerPrice, ...(x.stopPrice !== undefined ? { stopPricePaise: x.stopPrice } : {}) };
  const base = {
    clientOrderId: b.clientOrderId, strategyId: b.strategyId, tradingsymbol: b.tradingsymbol, exchange: b.exchange, product: b.product, variety: b.variety,
    exits, ...(b.metadata ? { metadata: b.metadata } : {}),
  };
  if (b.type === 'oco') return { kind: 'oco', ...base, side: b.position.side, quantity: b.position.quantity };
  const e = b.entry;
  return { kind: 'bracket', ...base, side: e.side, quantity: e.quantity, entry: { orderType: e.orderType, ...(e.price !== undefined ? { pricePaise: e.price } : {}) } };
}

export const GroupIdParam = z.object({ id: z.string().regex(/^group-[A-Za-z0-9_.:-]{1,50}$/, 'a group id (group-<clientOrderId>)') });

export const CancelGroupBody = z.strictObject({ reason: safeText(500).optional() });
