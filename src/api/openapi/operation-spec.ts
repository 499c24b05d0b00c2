import type { z } from 'zod';
import { ORDER_STATUSES } from '../../domain/order-types';

/** A JSON Schema (2020-12) object, as OpenAPI 3.1 embeds it. */
export type JsonSchema = Record<string, unknown>;

/**
 * Who may call a route: `public` (no key), `key` (any API key: operator or strategy), `operator` (an operator key), or
 * `public-or-operator` (one path, two routes: the broker's redirect is public, the same path without its query needs
 * an operator key).
 */
export type Access = 'public' | 'key' | 'operator' | 'public-or-operator';

export interface SuccessResponse {
  status: number;
  description: string;
  /** Media type -> schema; absent: no body (a redirect). */
  content?: Record<string, JsonSchema>;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/**
 * One HTTP operation of the API as the contract describes it. Parameters and bodies are the very zod schemas the route
 * parses with; only the answers' shapes (not parsed anywhere) are written here, loosely.
 */
export interface OperationSpec {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template: `{id}` where Express has `:id`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** Path parameters: a zod object with one key per `{name}` of the path. */
  params?: z.ZodType;
  query?: z.ZodType;
  headers?: { name: string; description: string; schema: z.ZodType }[];
  body?: { name: string; schema: z.ZodType; required: boolean; example?: unknown };
  success: SuccessResponse[];
  /** Error codes by HTTP status, beyond those every route of its kind can answer (added by the builder). */
  errors?: Partial<Record<number, string[]>>;
}

/** Loose answer shapes: the fields a client relies on; more may come. */
export const looseObject = (description: string, properties: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object',
  description,
  properties,
  ...(required.length ? { required } : {}),
  additionalProperties: true,
});

export const json = (schema: JsonSchema): Record<string, JsonSchema> => ({ 'application/json': schema });

export const ORDER_VIEW = looseObject('An order: terms, status, fills, status history, intervention (if one waits for an operator).', {
  orderId: { type: 'string', pattern: '^order-' },
  clientOrderId: { type: 'string' },
  strategyId: { type: 'string' },
  tradingsymbol: { type: 'string' },
  status: { type: 'string', enum: [...ORDER_STATUSES] },
  intervention: { description: 'why the order waits for an operator, or null' },
}, ['orderId', 'status']);

/** `{ <key>: <shape> }`, the usual envelope of one resource. */
export const wrapped = (key: string, shape: JsonSchema): JsonSchema => looseObject(`{ ${key} }`, { [key]: shape }, [key]);

export const anyObject = (description: string): JsonSchema => looseObject(description);

/** A 200 with a JSON body. */
export const ok = (description: string, schema: JsonSchema): SuccessResponse => ({ status: 200, description, content: json(schema) });
