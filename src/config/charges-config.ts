import { z } from 'zod';
import { readJsonConfig } from './config-file';
import { percentRate, perCroreRate, type ChargeRates } from '../domain/charges';
import { rupeesToPaise } from '../domain/positions';

const decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a non-negative decimal string, e.g. "0.03503"');
const percent = decimal.refine((v) => Number(v) <= 100, 'at most 100 (%)');

/** config/charges.json: the broker's and the state's charges per executed order. */
export const ChargesConfigSchema = z.strictObject({
  note: z.string().optional(),
  brokerage: z.strictObject({
    /** Rupees per executed order. */
    flatPerOrder: z.string().regex(/^\d+(\.\d{1,2})?$/, 'rupees with at most 2 decimals'),
    /** When set (%), brokerage is the lower of the flat fee and this share of the order's turnover. */
    percentOfTurnover: percent.nullable(),
  }),
  sttSellPercent: percent,
  transactionPercent: percent,
  sebiPerCrore: decimal,
  stampBuyPercent: percent,
  gstPercent: percent,
});
export type ChargesConfig = z.infer<typeof ChargesConfigSchema>;

export class ChargesConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChargesConfigError';
  }
}

/** The rates as exact rationals for the domain. */
export function chargeRatesOf(c: ChargesConfig): ChargeRates {
  return {
    brokerage: { flatPaise: rupeesToPaise(c.brokerage.flatPerOrder), turnoverRate: c.brokerage.percentOfTurnover === null ? null : percentRate(c.brokerage.percentOfTurnover) },
    sttSell: percentRate(c.sttSellPercent), transaction: percentRate(c.transactionPercent), sebi: perCroreRate(c.sebiPerCrore),
    stampBuy: percentRate(c.stampBuyPercent), gst: percentRate(c.gstPercent),
  };
}

/** Reads and validates the charges file; throws naming the bad key. */
export function loadChargesConfig(path: string): ChargeRates {
  return chargeRatesOf(readJsonConfig(path, 'charges configuration', ChargesConfigSchema, (m) => new ChargesConfigError(m)));
}
