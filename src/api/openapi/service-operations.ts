import { BrokerSessionBody } from '../order-schemas';
import { LoginRedirect } from '../routes/account-routes';
import { EventsQuery } from '../routes/event-routes';
import { PositionsQuery } from '../routes/positions-routes';
import { ReconciliationQuery } from '../routes/reconciliation-routes';
import { AuditQuery, MetricsQuery } from '../routes/report-routes';
import { z } from 'zod';
import { EXAMPLES } from './examples';
import { anyObject, json, looseObject, ok, wrapped, type OperationSpec } from './operation-spec';

/** The `:id` of /api/v1/accounts/:id: any text (an unknown account is a 404 from the service). */
const AccountIdParam = z.object({ id: z.string() });
const CHECKS = { type: 'object', additionalProperties: looseObject('one dependency', { ok: { type: 'boolean' }, reason: { type: 'string' } }, ['ok']) };
const SESSION = wrapped('session', anyObject('The day\'s Kite session: account, state, live, since, expiresAt (never the token).'));

const health: OperationSpec[] = [
  {
    method: 'get', path: '/health', operationId: 'health', tag: 'Health', access: 'public', summary: 'The process is alive',
    success: [ok('alive', looseObject('{ status: "ok", mode, ... }', { status: { const: 'ok' } }, ['status']))],
  },
  {
    method: 'get', path: '/ready', operationId: 'ready', tag: 'Health', access: 'public', summary: 'Whether the deployment can take orders',
    success: [
      ok('ready', looseObject('{ status: "ready", checks }', { status: { const: 'ready' }, checks: CHECKS }, ['status', 'checks'])),
      { status: 503, description: 'not ready: each failing check has its reason', content: json(looseObject('{ status: "not_ready", checks }', { status: { const: 'not_ready' }, checks: CHECKS }, ['status', 'checks'])) },
    ],
  },
  {
    method: 'get', path: '/metrics', operationId: 'metrics', tag: 'Health', access: 'public', summary: 'Prometheus metrics (text exposition format)',
    success: [{ status: 200, description: 'the metrics', content: { 'text/plain': { type: 'string' } } }],
  },
];

const accounts: OperationSpec[] = [
  {
    method: 'get', path: '/api/v1/accounts', operationId: 'listAccounts', tag: 'Accounts', access: 'operator',
    summary: 'The broker accounts, their strategies, sessions and kill switches',
    success: [ok('the accounts', looseObject('{ accounts }', { accounts: { type: 'array', items: { type: 'object' } } }, ['accounts']))],
  },
  {
    method: 'get', path: '/api/v1/accounts/{id}/login', operationId: 'brokerLogin', tag: 'Accounts', access: 'public', params: AccountIdParam,
    summary: "Redirect (302) to the broker's login page (the daily login; 30 a minute)",
    success: [{ status: 302, description: "to the broker's login page", headers: { Location: { description: 'the login page', schema: { type: 'string' } } } }],
    errors: { 404: ['NOT_FOUND'], 429: ['RATE_LIMITED'] },
  },
  {
    method: 'get', path: '/api/v1/accounts/{id}/session', operationId: 'brokerSession', tag: 'Accounts', access: 'public-or-operator', params: AccountIdParam,
    query: LoginRedirect.partial(),
    summary: "With request_token: the broker's redirect back (public; stores the day's token). Without: the session's state (operator)",
    success: [{ status: 200, description: 'the session (HTML for a browser)', content: { ...json(SESSION), 'text/html': { type: 'string' } } }],
    errors: { 400: ['LOGIN_REFUSED', 'LOGIN_NOT_COMPLETED'], 404: ['NOT_FOUND'], 429: ['RATE_LIMITED'], 503: ['BROKER_UNAVAILABLE'] },
  },
];

const books: OperationSpec[] = [
  {
    method: 'get', path: '/api/v1/positions', operationId: 'positions', tag: 'Positions', access: 'key', query: PositionsQuery,
    summary: "Net and day positions, the account's and each strategy's, marked to the last price",
    success: [ok('the positions', anyObject('Positions by account and strategy.'))], errors: { 403: ['STRATEGY_NOT_ALLOWED'] },
  },
  {
    method: 'get', path: '/api/v1/pnl', operationId: 'pnl', tag: 'Positions', access: 'key', query: PositionsQuery,
    summary: "Today's realized, unrealized, charges and net P&L", success: [ok('the P&L', anyObject('P&L in total, per strategy, per symbol.'))],
    errors: { 403: ['STRATEGY_NOT_ALLOWED'] },
  },
  {
    method: 'get', path: '/api/v1/events', operationId: 'events', tag: 'Events', access: 'key', query: EventsQuery,
    headers: [{ name: 'Last-Event-ID', description: 'resume after this event (what browsers send on reconnect); ?since= wins', schema: EventsQuery.shape.since }],
    summary: "The caller's events: Server-Sent Events, or one JSON page with Accept: application/json",
    success: [{
      status: 200, description: 'a stream (text/event-stream) or a page (application/json)',
      content: { 'text/event-stream': { type: 'string' }, ...json(looseObject('{ events, nextCursor }', { events: { type: 'array' }, nextCursor: { type: 'string' } }, ['events', 'nextCursor'])) },
    }],
    errors: { 403: ['STRATEGY_NOT_ALLOWED'] },
  },
  {
    method: 'get', path: '/api/v1/metrics/summary', operationId: 'metricsSummary', tag: 'Reports', access: 'key', query: MetricsQuery,
    summary: 'Success and fill rates, fill times, rejections by check, retries, ladder steps',
    success: [ok('the summary', wrapped('summary', anyObject('The summary.')))], errors: { 403: ['STRATEGY_NOT_ALLOWED'] },
  },
  {
    method: 'get', path: '/api/v1/audit', operationId: 'audit', tag: 'Reports', access: 'key', query: AuditQuery,
    summary: 'The order audit trail, oldest first, as JSON pages or CSV (format=csv; next cursor in x-next-cursor)',
    success: [{ status: 200, description: 'a page of events', content: { ...json(looseObject('{ events, nextCursor }', { events: { type: 'array' } }, ['events'])), 'text/csv': { type: 'string' } } }],
    errors: { 400: ['BAD_CURSOR'], 404: ['NOT_FOUND'] },
  },
];

const operations: OperationSpec[] = [
  {
    method: 'get', path: '/api/v1/reconciliation', operationId: 'reconciliation', tag: 'Operations', access: 'operator', query: ReconciliationQuery,
    summary: 'The latest reconciliation runs and the open findings', success: [ok('runs and findings', anyObject('{ runs, findings }'))],
  },
  {
    method: 'get', path: '/api/v1/risk/config', operationId: 'riskConfig', tag: 'Operations', access: 'operator',
    summary: "The risk gate's active configuration, its version and the last refused reload",
    success: [ok('the configuration', looseObject('{ version, loadedAt, file, reloadIntervalMs, lastReloadError, config }', { version: {}, config: { type: 'object' } }, ['version', 'config']))],
  },
  {
    method: 'get', path: '/api/v1/interventions', operationId: 'listInterventions', tag: 'Operations', access: 'operator',
    summary: 'Orders waiting for an operator, with why', success: [ok('the orders waiting', looseObject('{ interventions }', { interventions: { type: 'array' } }, ['interventions']))],
  },
  {
    method: 'post', path: '/api/v1/broker/session', operationId: 'setBrokerSession', tag: 'Operations', access: 'operator',
    summary: 'A fresh Kite access token (never echoed, never logged)',
    body: { name: 'BrokerSessionBody', schema: BrokerSessionBody, required: true, example: EXAMPLES.brokerSession },
    success: [ok('stored', looseObject('{ updated, updatedAt }', { updated: { const: true }, updatedAt: { type: 'string', format: 'date-time' } }, ['updated', 'updatedAt']))],
  },
];

const contract: OperationSpec[] = [
  {
    method: 'get', path: '/api/v1/openapi.json', operationId: 'openApiDocument', tag: 'Contract', access: 'public',
    summary: 'This document (OpenAPI 3.1)', success: [ok('the document', anyObject('An OpenAPI 3.1 document.'))],
  },
  {
    method: 'get', path: '/api/v1/docs', operationId: 'apiDocs', tag: 'Contract', access: 'public',
    summary: 'This document as an HTML page', success: [{ status: 200, description: 'the page', content: { 'text/html': { type: 'string' } } }],
  },
];

/** Health, accounts, books and reports, operations, and the contract itself. */
export const SERVICE_OPERATIONS: OperationSpec[] = [...health, ...accounts, ...books, ...operations, ...contract];
