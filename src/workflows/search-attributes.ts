import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes of order workflows: find an order in the Temporal UI by any of these. */
export const OrderClientId = defineSearchAttributeKey('OrderClientId', SearchAttributeType.KEYWORD);
export const OrderSymbol = defineSearchAttributeKey('OrderSymbol', SearchAttributeType.KEYWORD);
export const OrderStrategyId = defineSearchAttributeKey('OrderStrategyId', SearchAttributeType.KEYWORD);
export const OrderStatus = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
/** Set while the order waits for an operator (e.g. TOKEN_EXPIRED); unset otherwise. */
export const OrderIntervention = defineSearchAttributeKey('OrderIntervention', SearchAttributeType.KEYWORD);

/** The parent workflow of a leg (split slice, OCO or bracket leg): lists a group's legs in the Temporal UI. */
export const OrderParent = defineSearchAttributeKey('OrderParent', SearchAttributeType.KEYWORD);

/** Names and types for registering them on a server (`temporal server start-dev --search-attribute`). */
export const ORDER_SEARCH_ATTRIBUTES: Record<string, 'Keyword'> = {
  OrderClientId: 'Keyword', OrderSymbol: 'Keyword', OrderStrategyId: 'Keyword', OrderStatus: 'Keyword', OrderIntervention: 'Keyword',
  OrderParent: 'Keyword',
};
