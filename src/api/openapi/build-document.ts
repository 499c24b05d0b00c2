import { z } from 'zod';
import { ErrorBody, errorsOf, reasonOf, RETRY_AFTER_STATUSES } from './error-responses';
import type { Access, JsonSchema, OperationSpec, SuccessResponse } from './operation-spec';
import { ORDER_OPERATIONS } from './order-operations';
import { SERVICE_OPERATIONS } from './service-operations';

/** Every operation of the HTTP API; test/api/openapi.test.ts checks it against the routes Express really has. */
export const OPERATIONS: OperationSpec[] = [...SERVICE_OPERATIONS, ...ORDER_OPERATIONS];

export type OpenApiDocument = {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
} & Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/Error' };

/**
 * The JSON Schema of what a client sends: zod's own conversion (2020-12, the dialect of OpenAPI 3.1), on the input
 * side of transforms and defaults. Refinements that JSON Schema cannot say (a price with at most 2 decimals, a bracket's
 * prices in order) stay in the route; the document names the schema and the API's 400 says which field failed.
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function objectProperties(schema: z.ZodType, where: string): { properties: Record<string, JsonSchema>; required: string[] } {
  const s = jsonSchemaOf(schema);
  if (s.type !== 'object' || typeof s.properties !== 'object') throw new Error(`${where}: parameters must come from a zod object`);
  return { properties: s.properties as Record<string, JsonSchema>, required: (s.required as string[] | undefined) ?? [] };
}

function parametersOf(op: OperationSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (op.params) {
    const { properties } = objectProperties(op.params, `${op.operationId} params`);
    for (const [name, schema] of Object.entries(properties)) out.push({ name, in: 'path', required: true, schema });
  }
  if (op.query) {
    const { properties, required } = objectProperties(op.query, `${op.operationId} query`);
    for (const [name, schema] of Object.entries(properties)) out.push({ name, in: 'query', required: required.includes(name), schema });
  }
  for (const h of op.headers ?? []) out.push({ name: h.name, in: 'header', required: false, description: h.description, schema: jsonSchemaOf(h.schema) });
  const declared = new Set(out.filter((p) => p.in === 'path').map((p) => p.name));
  for (const [, name] of op.path.matchAll(/\{(\w+)\}/g)) {
    if (!declared.has(name)) throw new Error(`${op.operationId}: path parameter {${name}} has no schema`);
  }
  return out;
}

function securityOf(access: Access): { security: Record<string, string[]>[]; 'x-roles': string[] } {
  const keyed: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }];
  switch (access) {
    case 'public': return { security: [], 'x-roles': [] };
    case 'key': return { security: keyed, 'x-roles': ['operator', 'strategy'] };
    case 'operator': return { security: keyed, 'x-roles': ['operator'] };
    case 'public-or-operator': return { security: [{}, ...keyed], 'x-roles': ['operator'] };
  }
}

const retryAfter = { 'Retry-After': { description: 'seconds to wait before sending the same request again', schema: { type: 'integer' } } };

function responsesOf(op: OperationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of op.success) out[String(s.status)] = successObject(s);
  for (const [status, codes] of Object.entries(errorsOf(op))) {
    if (out[status] || !codes?.length) continue;
    out[status] = {
      description: `${reasonOf(Number(status))}: ${codes.join(', ')}`,
      'x-error-codes': codes,
      ...(RETRY_AFTER_STATUSES.includes(Number(status)) ? { headers: retryAfter } : {}),
      content: { 'application/json': { schema: ERROR_REF } },
    };
  }
  return out;
}

function successObject(s: SuccessResponse): Record<string, unknown> {
  const content = s.content ? Object.fromEntries(Object.entries(s.content).map(([type, schema]) => [type, { schema }])) : undefined;
  return { description: s.description, ...(s.headers ? { headers: s.headers } : {}), ...(content ? { content } : {}) };
}

function operationObject(op: OperationSpec, schemas: Record<string, JsonSchema>): Record<string, unknown> {
  const parameters = parametersOf(op);
  let requestBody: Record<string, unknown> | undefined;
  if (op.body) {
    schemas[op.body.name] = jsonSchemaOf(op.body.schema);
    const media = { schema: { $ref: `#/components/schemas/${op.body.name}` }, ...(op.body.example !== undefined ? { example: op.body.example } : {}) };
    requestBody = { required: op.body.required, content: { 'application/json': media } };
  }
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...securityOf(op.access),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(op),
  };
}

const INFO = {
  title: 'Kite OMS HTTP API',
  version: 'v1',
  description: 'Orders, groups, the kill switch, positions and events of the order management system. Generated from the zod schemas the routes validate with (src/api/openapi/). Errors are { error: { code, message, details? } }.',
};

const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An API key from config/access.json: role operator (everything) or strategy (its own strategies only).' },
  bearer: { type: 'http', scheme: 'bearer', description: 'The same API key as `Authorization: Bearer <key>`.' },
};

/** Builds the OpenAPI 3.1 document from the operation list: the same input always gives the same document. */
export function buildOpenApiDocument(operations: OperationSpec[] = OPERATIONS): OpenApiDocument {
  const schemas: Record<string, JsonSchema> = { Error: jsonSchemaOf(ErrorBody) };
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is described twice`);
    item[op.method] = operationObject(op, schemas);
  }
  const tags = [...new Set(operations.map((op) => op.tag))].map((name) => ({ name }));
  return { openapi: '3.1.0', info: INFO, tags, paths, components: { schemas, securitySchemes: SECURITY_SCHEMES } };
}

let cached: OpenApiDocument | undefined;

/** The document, built once per process (the schemas do not change at run time). */
export function openApiDocument(): OpenApiDocument {
  return (cached ??= buildOpenApiDocument());
}
