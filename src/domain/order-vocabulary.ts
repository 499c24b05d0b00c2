/** The vocabulary of an order (Kite's enums), shared by API, workflows and activities; imports nothing. */

export const SIDES = ['BUY', 'SELL'] as const;
export const ORDER_TYPES = ['MARKET', 'LIMIT', 'SL', 'SL-M'] as const;
export const PRODUCTS = ['NRML', 'MIS', 'CNC'] as const;
export const VALIDITIES = ['DAY', 'IOC', 'TTL'] as const;
export const VARIETIES = ['regular', 'amo'] as const;
export const EXCHANGES = ['NFO', 'NSE', 'BSE', 'BFO'] as const;

export type Side = (typeof SIDES)[number];
export type OrderType = (typeof ORDER_TYPES)[number];
export type Product = (typeof PRODUCTS)[number];
export type Validity = (typeof VALIDITIES)[number];
export type Variety = (typeof VARIETIES)[number];
export type Exchange = (typeof EXCHANGES)[number];
