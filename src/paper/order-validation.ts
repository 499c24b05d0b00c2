import { z } from 'zod';
import { inputError } from './errors';
import type { PaperInstrument } from './instruments';
import { isOnTick, rupeesToPaise } from './money';
import type { OrderType, Side, Validity } from './order-book';

/** Form fields arrive as strings; empty means absent (the client sends `price=` for nulls). */
const blankToUndefined = (v: unknown): unknown => (v === '' || v === null ? undefined : v);
const num = z.preprocess(blankToUndefined, z.coerce.number().optional());
const int = z.preprocess(blankToUndefined, z.coerce.number().int().optional());

const ORDER_TYPES = ['MARKET', 'LIMIT', 'SL', 'SL-M'] as const;
const VALIDITIES = ['DAY', 'IOC', 'TTL'] as const;

export const placeOrderSchema = z.object({
  tradingsymbol: z.string().min(1),
  exchange: z.string().min(1),
  transaction_type: z.enum(['BUY', 'SELL']),
  quantity: z.preprocess(blankToUndefined, z.coerce.number().int()),
  product: z.string().min(1),
  order_type: z.enum(ORDER_TYPES),
  validity: z.preprocess(blankToUndefined, z.enum(VALIDITIES).default('DAY')),
  price: num,
  trigger_price: num,
  disclosed_quantity: int,
  tag: z.preprocess(blankToUndefined, z.string().optional()),
  market_protection: num,
  validity_ttl: int,
});

export const modifyOrderSchema = z.object({
  quantity: int,
  price: num,
  trigger_price: num,
  order_type: z.preprocess(blankToUndefined, z.enum(ORDER_TYPES).optional()),
  validity: z.preprocess(blankToUndefined, z.enum(VALIDITIES).optional()),
  disclosed_quantity: int,
  market_protection: num,
  validity_ttl: int,
});

export type PlaceOrderInput = z.infer<typeof placeOrderSchema>;
export type ModifyOrderInput = z.infer<typeof modifyOrderSchema>;

/** zod parse with Kite's InputException wording. */
export function parseKiteInput<T>(schema: z.ZodType<T>, body: unknown): T {
  const raw = (body ?? {}) as Record<string, unknown>;
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const field = String(result.error.issues[0]?.path[0] ?? 'input');
  const value = raw[field];
  if (value === undefined || value === '') throw inputError(`Missing or empty field \`${field}\`.`);
  throw inputError(`Invalid \`${field}\`.`);
}

export const MAX_TAG_LENGTH = 20;
const PAPER_VARIETIES = ['regular', 'amo'];
const KNOWN_VARIETIES = ['regular', 'amo', 'co', 'iceberg', 'auction'];

export function checkVariety(variety: string): void {
  if (!KNOWN_VARIETIES.includes(variety)) throw inputError('Invalid `variety`.');
  if (!PAPER_VARIETIES.includes(variety)) throw inputError(`Variety \`${variety}\` is not supported in paper trading.`);
}

export function checkTag(tag: string | undefined): void {
  if (tag !== undefined && tag.length > MAX_TAG_LENGTH) {
    throw inputError(`Tag length should be less than or equal to ${MAX_TAG_LENGTH} characters.`);
  }
}

export function checkProduct(instrument: PaperInstrument, product: string): void {
  if (instrument.exchange === 'NFO' && product !== 'NRML' && product !== 'MIS') {
    throw inputError(`Product \`${product}\` is not allowed for F&O. Use NRML or MIS.`);
  }
}

export function checkQuantity(instrument: PaperInstrument, quantity: number): void {
  if (!Number.isInteger(quantity) || quantity <= 0) throw inputError('Invalid `quantity`.');
  if (quantity % instrument.lot_size !== 0) {
    throw inputError(`Quantity should be a multiple of the lot size (${instrument.lot_size}).`);
  }
  if (instrument.freezeQuantity > 0 && quantity > instrument.freezeQuantity) {
    throw inputError(`Quantity exceeds the freeze limit of ${instrument.freezeQuantity}. Slice the order.`);
  }
}

export interface PricingFields {
  orderType: OrderType;
  side: Side;
  validity: Validity;
  price: number | undefined;
  triggerPrice: number | undefined;
  marketProtection: number | undefined;
  validityTtl: number | undefined;
}

export interface NormalizedPricing {
  pricePaise: number;
  triggerPaise: number;
  marketProtection: number;
  validityTtl: number | null;
}

function toTickPaise(instrument: PaperInstrument, field: string, rupees: number | undefined): number {
  const paise = rupees === undefined ? null : rupeesToPaise(rupees);
  if (paise === null || paise <= 0) throw inputError(`Invalid \`${field}\`.`);
  if (!isOnTick(paise, instrument.tickPaise)) {
    throw inputError(
      `Tick size for this script is ${instrument.tick_size.toFixed(2)}. Kindly enter ${field.replace('_', ' ')} in the multiple of tick size for this script.`,
    );
  }
  return paise;
}

function checkMarketProtection(value: number | undefined): number {
  if (value === undefined || value === 0) {
    throw inputError('`market_protection` is mandatory for MARKET and SL-M orders. Use -1 for automatic protection.');
  }
  if (value !== -1 && !(value > 0 && value <= 100)) throw inputError('Invalid `market_protection`.');
  return value;
}

/** Kite's answer to an SL-M order on an option (the exchanges blocked stop-loss market orders on options in 2021). */
export const SLM_BLOCKED_FOR_OPTIONS = 'SL-M orders are blocked for options. Place a stoploss-limit (SL) order with a limit price instead.';

/** Price/trigger/protection/validity rules per order type, as Kite enforces them. */
export function normalizePricing(instrument: PaperInstrument, f: PricingFields): NormalizedPricing {
  if (f.orderType === 'SL-M' && instrument.segment === 'NFO-OPT') throw inputError(SLM_BLOCKED_FOR_OPTIONS);
  const needsPrice = f.orderType === 'LIMIT' || f.orderType === 'SL';
  const needsTrigger = f.orderType === 'SL' || f.orderType === 'SL-M';
  const marketLike = f.orderType === 'MARKET' || f.orderType === 'SL-M';
  const pricePaise = needsPrice ? toTickPaise(instrument, 'price', f.price) : 0;
  const triggerPaise = needsTrigger ? toTickPaise(instrument, 'trigger_price', f.triggerPrice) : 0;
  if (f.orderType === 'SL' && f.side === 'BUY' && triggerPaise > pricePaise) {
    throw inputError('Trigger price for stoploss buy orders should be less than or equal to the limit price.');
  }
  if (f.orderType === 'SL' && f.side === 'SELL' && triggerPaise < pricePaise) {
    throw inputError('Trigger price for stoploss sell orders should be greater than or equal to the limit price.');
  }
  const marketProtection = marketLike ? checkMarketProtection(f.marketProtection) : (f.marketProtection ?? 0);
  let validityTtl: number | null = null;
  if (f.validity === 'TTL') {
    if (f.orderType === 'MARKET' || f.orderType === 'SL-M') throw inputError('TTL validity is allowed only for LIMIT and SL orders.');
    if (f.validityTtl === undefined || f.validityTtl < 1) throw inputError('Missing or empty field `validity_ttl`.');
    validityTtl = f.validityTtl;
  }
  return { pricePaise, triggerPaise, marketProtection, validityTtl };
}

/** A stop-loss must not be triggerable already (Kite rejects such orders). */
export function checkTriggerAgainstLtp(side: Side, triggerPaise: number, lastPaise: number): void {
  if (side === 'BUY' && triggerPaise <= lastPaise) {
    throw inputError('Trigger price for stoploss buy orders should be higher than the last traded price.');
  }
  if (side === 'SELL' && triggerPaise >= lastPaise) {
    throw inputError('Trigger price for stoploss sell orders should be lower than the last traded price.');
  }
}
