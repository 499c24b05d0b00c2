import { CancelGroupBody, GroupIdParam, PlaceGroupBody } from '../group-schemas';
import { InterventionBody, KitePostback, ListOrdersQuery, ModifyOrderBody, OrderIdParam, PlaceOrderBody } from '../order-schemas';
import { CancelAllBody, KillSwitchBody, KillSwitchQuery } from '../routes/kill-switch-routes';
import { CancelMonitorBody, MonitorIdParam } from '../routes/monitor-routes';
import { EXAMPLES } from './examples';
import { anyObject, json, looseObject, ok, ORDER_VIEW, wrapped, type JsonSchema, type OperationSpec, type SuccessResponse } from './operation-spec';

const ORDER = wrapped('order', ORDER_VIEW);
const GROUP = wrapped('group', anyObject('The group: legs (with their order ids), position, episodes.'));
const MONITOR = wrapped('monitor', anyObject('The monitor: status, open quantity, deadlines, OCO group, exits, episodes.'));
const LOCATION = { Location: { description: 'the resource created', schema: { type: 'string' } } };
const created = (what: string, schema: JsonSchema): SuccessResponse[] => [
  { status: 202, description: `${what} validated and started`, content: json(schema), headers: LOCATION },
  { status: 200, description: `the same request again: the same ${what.toLowerCase()}, nothing new started`, content: json(schema), headers: LOCATION },
];
const RISK_CODES = ['RISK_REJECTED', 'ORDER_REJECTED', 'FREEZE_QTY', 'STALE_MARKET_DATA', 'KILL_SWITCH', 'SPLIT_LIMIT', 'SLM_NOT_ALLOWED_FOR_OPTIONS'];

const orders: OperationSpec[] = [
  {
    method: 'post', path: '/api/v1/orders', operationId: 'placeOrder', tag: 'Orders', access: 'key',
    summary: 'Place an order (the client order id is the idempotency key)',
    description: 'Answers once the order is validated, risk-checked, persisted and its first placement has an outcome; 202 with status RECEIVED when no worker admitted it in time (it is durable).',
    body: { name: 'PlaceOrderBody', schema: PlaceOrderBody, required: true, example: EXAMPLES.placeOrder },
    success: created('Order', ORDER),
    errors: { 403: ['STRATEGY_NOT_ALLOWED'], 409: ['IDEMPOTENCY_CONFLICT'], 422: RISK_CODES, 429: ['OVERLOADED'], 503: ['ADMISSION_TIMEOUT', 'BROKER_SESSION_EXPIRED', 'BROKER_UNAVAILABLE'] },
  },
  {
    method: 'get', path: '/api/v1/orders', operationId: 'listOrders', tag: 'Orders', access: 'key',
    summary: 'List orders, newest first, with filters and cursor paging', query: ListOrdersQuery,
    success: [ok('a page of orders', looseObject('{ orders, nextCursor }', { orders: { type: 'array', items: ORDER_VIEW }, nextCursor: { type: ['string', 'null'] } }, ['orders']))],
    errors: { 403: ['STRATEGY_NOT_ALLOWED'] },
  },
  {
    method: 'get', path: '/api/v1/orders/{id}', operationId: 'getOrder', tag: 'Orders', access: 'key', params: OrderIdParam,
    summary: 'One order with fills and status history', success: [ok('the order', ORDER)],
    errors: { 404: ['NOT_FOUND'], 503: ['ORDER_STATE_UNAVAILABLE'] },
  },
  {
    method: 'get', path: '/api/v1/orders/{id}/report', operationId: 'getExecutionReport', tag: 'Orders', access: 'key', params: OrderIdParam,
    summary: 'The execution report: fills, average price, slippage, charges, timings',
    success: [ok('the report', wrapped('report', anyObject('The execution report.')))], errors: { 404: ['NOT_FOUND'] },
  },
  {
    method: 'patch', path: '/api/v1/orders/{id}', operationId: 'modifyOrder', tag: 'Orders', access: 'key', params: OrderIdParam,
    summary: 'Modify a working order; answers when the broker has confirmed',
    body: { name: 'ModifyOrderBody', schema: ModifyOrderBody, required: true, example: EXAMPLES.modifyOrder },
    success: [ok('the modified order', ORDER)],
    errors: { 404: ['NOT_FOUND'], 409: ['ORDER_NOT_CHANGEABLE', 'BROKER_REJECTED'], 422: ['FIELD_NOT_FOR_ORDER_TYPE', 'INVALID_CHANGE', 'SLM_NOT_ALLOWED_FOR_OPTIONS'], 503: ['ORDER_BUSY', 'BROKER_UNAVAILABLE'] },
  },
  {
    method: 'delete', path: '/api/v1/orders/{id}', operationId: 'cancelOrder', tag: 'Orders', access: 'key', params: OrderIdParam,
    summary: 'Cancel a working order',
    success: [
      ok('cancelled (or already cancelled)', ORDER),
      { status: 202, description: 'the order waits for an operator: the cancel is queued', content: json(looseObject('{ order, cancel }', { order: ORDER_VIEW, cancel: { type: 'object' } }, ['order', 'cancel'])) },
    ],
    errors: { 404: ['NOT_FOUND'], 409: ['ORDER_NOT_CHANGEABLE', 'BROKER_REJECTED'], 503: ['ORDER_BUSY', 'BROKER_UNAVAILABLE'] },
  },
  {
    method: 'post', path: '/api/v1/orders/{id}/interventions', operationId: 'interveneOrder', tag: 'Operations', access: 'operator', params: OrderIdParam,
    summary: "An operator's decision for an order waiting for one",
    body: { name: 'InterventionBody', schema: InterventionBody, required: true, example: EXAMPLES.intervention },
    success: [ok('the order after the decision', ORDER)], errors: { 404: ['NOT_FOUND'], 409: ['NO_INTERVENTION_PENDING', 'ORDER_NOT_CHANGEABLE'] },
  },
];

const killSwitch: OperationSpec[] = [
  {
    method: 'post', path: '/api/v1/orders/cancel-all', operationId: 'cancelAllOrders', tag: 'Kill switch', access: 'operator',
    summary: 'Cancel every live order matching the filters (no filter: every live order)',
    body: { name: 'CancelAllBody', schema: CancelAllBody, required: false, example: EXAMPLES.cancelAll },
    success: [ok('each order and what became of it', looseObject('{ filter, asked, cancelled, ended, timedOut, failed, results }', { asked: { type: 'integer' }, results: { type: 'array' } }, ['asked', 'results']))],
  },
  {
    method: 'get', path: '/api/v1/kill-switch', operationId: 'getKillSwitch', tag: 'Kill switch', access: 'operator', query: KillSwitchQuery,
    summary: "The account's kill switch and its recent events", success: [ok('the state', wrapped('killSwitch', anyObject('The kill switch state.')))],
    errors: { 404: ['NOT_FOUND'] },
  },
  {
    method: 'post', path: '/api/v1/kill-switch', operationId: 'setKillSwitch', tag: 'Kill switch', access: 'operator',
    summary: 'Engage (refuse new risk, cancel entries, keep protective exits) or release the kill switch',
    body: { name: 'KillSwitchBody', schema: KillSwitchBody, required: true, example: EXAMPLES.killSwitch },
    success: [ok('the new state and what was cancelled', looseObject('{ killSwitch, changed, cancelled, kept, flattened }', { killSwitch: { type: 'object' }, changed: { type: 'boolean' } }, ['killSwitch', 'changed']))],
    errors: { 404: ['NOT_FOUND'], 422: ['KILL_SWITCH_REFUSED'] },
  },
];

const groups: OperationSpec[] = [
  {
    method: 'post', path: '/api/v1/groups', operationId: 'placeGroup', tag: 'Groups', access: 'key',
    summary: 'Start an OCO pair for a position, or a bracket (entry + OCO exits)',
    body: { name: 'PlaceGroupBody', schema: PlaceGroupBody, required: true, example: EXAMPLES.placeGroup },
    success: created('Group', GROUP), errors: { 403: ['STRATEGY_NOT_ALLOWED'], 409: ['IDEMPOTENCY_CONFLICT'], 422: ['KILL_SWITCH', 'RISK_REJECTED'] },
  },
  {
    method: 'get', path: '/api/v1/groups/{id}', operationId: 'getGroup', tag: 'Groups', access: 'key', params: GroupIdParam,
    summary: 'One group: legs, position, episodes', success: [ok('the group', GROUP)], errors: { 404: ['NOT_FOUND'] },
  },
  {
    method: 'post', path: '/api/v1/groups/{id}/cancel', operationId: 'cancelGroup', tag: 'Groups', access: 'key', params: GroupIdParam,
    summary: 'Cancel every live leg of the group',
    body: { name: 'CancelGroupBody', schema: CancelGroupBody, required: false, example: EXAMPLES.cancelGroup },
    success: [ok('the group', GROUP)], errors: { 404: ['NOT_FOUND'], 409: ['GROUP_NOT_CANCELLABLE'] },
  },
  {
    method: 'get', path: '/api/v1/monitors/{id}', operationId: 'getMonitor', tag: 'Groups', access: 'key', params: MonitorIdParam,
    summary: 'One position monitor', success: [ok('the monitor', MONITOR)], errors: { 404: ['NOT_FOUND'] },
  },
  {
    method: 'post', path: '/api/v1/monitors/{id}/cancel', operationId: 'cancelMonitor', tag: 'Groups', access: 'key', params: MonitorIdParam,
    summary: 'Stop a monitor: its OCO legs are cancelled, the position is left open',
    body: { name: 'CancelMonitorBody', schema: CancelMonitorBody, required: false, example: EXAMPLES.cancelMonitor },
    success: [ok('the monitor', MONITOR)], errors: { 404: ['NOT_FOUND'], 409: ['MONITOR_NOT_CANCELLABLE'] },
  },
];

const webhooks: OperationSpec[] = [
  {
    method: 'post', path: '/api/v1/webhooks/kite', operationId: 'kitePostback', tag: 'Broker', access: 'public',
    summary: "Kite's order postback, authenticated by its checksum: sha256(order_id + order_timestamp + api_secret)",
    body: { name: 'KitePostback', schema: KitePostback, required: true, example: EXAMPLES.kitePostback },
    success: [ok('received', looseObject('{ received, delivered }', { received: { const: true }, delivered: { type: 'boolean' } }, ['received']))],
    errors: { 401: ['BAD_CHECKSUM'] },
  },
];

/** Orders, the kill switch, groups and monitors, and the broker's postback. */
export const ORDER_OPERATIONS: OperationSpec[] = [...orders, ...killSwitch, ...groups, ...webhooks];
