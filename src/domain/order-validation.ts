import type { Instrument, OrderRequest } from './order-types';
import { paiseToRupees } from './money';

/** One named check's outcome: every one in validation_result; failed and flagged ones also in order_events and the workflow history. */
export interface CheckResult {
  check: string;
  passed: boolean;
  code?: string;
  message?: string;
  values?: Record<string, unknown>;
  /** Set by the risk gate: the check's category, passed/failed/skipped, the limit compared against, a watch flag. */
  category?: string;
  status?: 'passed' | 'failed' | 'skipped';
  limit?: unknown;
  flagged?: boolean;
}

export interface ValidationReport {
  passed: boolean;
  checks: CheckResult[];
  /** The first failed check, for the 422 answer. */
  failure?: CheckResult;
  /** Set by the risk gate (absent on the spine's basic report). */
  flags?: string[];
  reduceOnly?: boolean;
  account?: string;
  configVersion?: string;
  evaluatedAt?: string;
  orderValue?: string | null;
  referencePrice?: string | null;
  /** Set on a compact report (compactReport): how many passing checks were left out. */
  omittedChecks?: number;
}

type Rule = (o: OrderRequest, i: Instrument | null) => CheckResult;

const fail = (check: string, code: string, message: string, values?: Record<string, unknown>): CheckResult =>
  ({ check, passed: false, code, message, values });
const pass = (check: string, values?: Record<string, unknown>): CheckResult => ({ check, passed: true, values });

const instrumentExists: Rule = (o, i) =>
  i ? pass('instrument', { instrumentToken: i.instrumentToken })
    : fail('instrument', 'UNKNOWN_INSTRUMENT', `${o.exchange}:${o.tradingsymbol} is not in the instrument master`);

const requiredFields: Rule = (o) => {
  const needsPrice = o.orderType === 'LIMIT' || o.orderType === 'SL';
  const needsTrigger = o.orderType === 'SL' || o.orderType === 'SL-M';
  if (needsPrice && o.pricePaise === undefined) return fail('required_fields', 'PRICE_REQUIRED', `${o.orderType} orders need a price`);
  if (!needsPrice && o.pricePaise !== undefined) return fail('required_fields', 'PRICE_NOT_ALLOWED', `${o.orderType} orders take no price`);
  if (needsTrigger && o.triggerPricePaise === undefined) return fail('required_fields', 'TRIGGER_PRICE_REQUIRED', `${o.orderType} orders need a trigger price`);
  if (!needsTrigger && o.triggerPricePaise !== undefined) return fail('required_fields', 'TRIGGER_PRICE_NOT_ALLOWED', `${o.orderType} orders take no trigger price`);
  if (o.validity === 'TTL' && !o.validityTtlMinutes) return fail('required_fields', 'TTL_REQUIRED', 'TTL validity needs validityTtlMinutes');
  return pass('required_fields');
};

/** Index and stock options (NFO/BFO since 2021) take no stop-loss market order: the exchange blocks SL-M on them. */
export const isOptionContract = (i: Pick<Instrument, 'instrumentType' | 'segment'>): boolean =>
  i.instrumentType === 'CE' || i.instrumentType === 'PE' || (i.segment?.endsWith('-OPT') ?? false);

export const SLM_NOT_ALLOWED_FOR_OPTIONS = 'SLM_NOT_ALLOWED_FOR_OPTIONS';

/** The refusal's message: what to send instead (an SL order, its limit a few ticks beyond the trigger). */
export const slmForOptionsMessage = (tradingsymbol: string): string =>
  `SL-M orders are blocked for options (${tradingsymbol}); place an SL order with a limit price beyond the trigger instead (e.g. a sell triggered at 9.00 with price 8.55)`;

const orderTypeAllowed: Rule = (o, i) => {
  if (!i || o.orderType !== 'SL-M' || !isOptionContract(i)) return pass('order_type_allowed');
  return fail('order_type_allowed', SLM_NOT_ALLOWED_FOR_OPTIONS, slmForOptionsMessage(o.tradingsymbol), { orderType: o.orderType, instrumentType: i.instrumentType, segment: i.segment });
};

const positivePrices: Rule = (o) => {
  for (const [name, v] of Object.entries({ price: o.pricePaise, triggerPrice: o.triggerPricePaise, stopLoss: o.stopLossPaise, takeProfit: o.takeProfitPaise })) {
    if (v !== undefined && v <= 0) return fail('positive_prices', 'PRICE_NOT_POSITIVE', `${name} must be greater than zero`, { [name]: paiseToRupees(v) });
  }
  return pass('positive_prices');
};

/** A stop-loss buy triggers on a rise, so its limit must be at or above the trigger; a sell is the mirror. */
const stopLossRelationship: Rule = (o) => {
  if (o.orderType !== 'SL' || o.pricePaise === undefined || o.triggerPricePaise === undefined) return pass('sl_price_trigger');
  const values = { price: paiseToRupees(o.pricePaise), triggerPrice: paiseToRupees(o.triggerPricePaise), side: o.side };
  if (o.side === 'BUY' && o.pricePaise < o.triggerPricePaise) return fail('sl_price_trigger', 'SL_PRICE_BELOW_TRIGGER', 'an SL buy needs price >= trigger price', values);
  if (o.side === 'SELL' && o.pricePaise > o.triggerPricePaise) return fail('sl_price_trigger', 'SL_PRICE_ABOVE_TRIGGER', 'an SL sell needs price <= trigger price', values);
  return pass('sl_price_trigger', values);
};

/** Protective levels must sit on the right side of the entry: below it for a buy's stop, above for its target. */
const protectiveLevels: Rule = (o) => {
  const entry = o.pricePaise ?? o.triggerPricePaise;
  if (entry === undefined) return pass('protective_levels');
  const sign = o.side === 'BUY' ? 1 : -1;
  if (o.stopLossPaise !== undefined && sign * (entry - o.stopLossPaise) <= 0)
    return fail('protective_levels', 'STOP_LOSS_WRONG_SIDE', `the stop loss of a ${o.side} must be ${o.side === 'BUY' ? 'below' : 'above'} the entry price`, { entry: paiseToRupees(entry), stopLoss: paiseToRupees(o.stopLossPaise) });
  if (o.takeProfitPaise !== undefined && sign * (o.takeProfitPaise - entry) <= 0)
    return fail('protective_levels', 'TAKE_PROFIT_WRONG_SIDE', `the take profit of a ${o.side} must be ${o.side === 'BUY' ? 'above' : 'below'} the entry price`, { entry: paiseToRupees(entry), takeProfit: paiseToRupees(o.takeProfitPaise) });
  return pass('protective_levels');
};

const lotSize: Rule = (o, i) => {
  if (!i) return pass('lot_size');
  const values = { quantity: o.quantity, lotSize: i.lotSize };
  if (!Number.isInteger(o.quantity) || o.quantity <= 0) return fail('lot_size', 'QUANTITY_NOT_POSITIVE', 'quantity must be a positive whole number', values);
  if (o.quantity % i.lotSize !== 0) return fail('lot_size', 'QUANTITY_NOT_LOT_MULTIPLE', `quantity ${o.quantity} is not a multiple of the lot size ${i.lotSize}`, values);
  return pass('lot_size', values);
};

const tickSize: Rule = (o, i) => {
  if (!i) return pass('tick_size');
  for (const [name, v] of Object.entries({ price: o.pricePaise, triggerPrice: o.triggerPricePaise, stopLoss: o.stopLossPaise, takeProfit: o.takeProfitPaise })) {
    if (v !== undefined && v % i.tickSizePaise !== 0)
      return fail('tick_size', 'PRICE_NOT_ON_TICK', `${name} ${paiseToRupees(v)} is not a multiple of the tick size ${paiseToRupees(i.tickSizePaise)}`, { [name]: paiseToRupees(v), tickSize: paiseToRupees(i.tickSizePaise) });
  }
  return pass('tick_size');
};

const disclosedQuantity: Rule = (o) => {
  if (o.disclosedQuantity === undefined) return pass('disclosed_quantity');
  if (o.disclosedQuantity < 0 || o.disclosedQuantity > o.quantity)
    return fail('disclosed_quantity', 'DISCLOSED_QUANTITY_OUT_OF_RANGE', 'disclosed quantity must be between 0 and the order quantity', { disclosedQuantity: o.disclosedQuantity, quantity: o.quantity });
  return pass('disclosed_quantity');
};

const RULES: Rule[] = [instrumentExists, orderTypeAllowed, requiredFields, positivePrices, stopLossRelationship, protectiveLevels, lotSize, tickSize, disclosedQuantity];

/** Basic order validation: every rule runs so the report is complete; the first failure is the answer. */
export function validateOrder(order: OrderRequest, instrument: Instrument | null): ValidationReport {
  const checks = RULES.map((rule) => rule(order, instrument));
  const failure = checks.find((c) => !c.passed);
  return { passed: !failure, checks, failure };
}

/** Checks the workflow itself reads later (the split size), kept in the compact report. */
const KEPT_CHECKS = new Set(['freeze_quantity']);

/**
 * The report as the workflow carries it (history, saves, update answers): the decision, every check that failed or
 * was flagged, the checks the workflow reads later, and how many passing checks were left out. The full report is in
 * Postgres (orders.validation_result, written by the risk gate in its transaction), one GET away.
 */
export function compactReport(r: ValidationReport): ValidationReport {
  if (r.omittedChecks !== undefined) return r;
  const checks = r.checks.filter((c) => !c.passed || c.flagged || KEPT_CHECKS.has(c.check));
  return { ...r, checks, omittedChecks: r.checks.length - checks.length };
}

/** A compact report: its passing checks are in Postgres, not here. */
export const isCompact = (r: ValidationReport | null | undefined): boolean => r?.omittedChecks !== undefined;
