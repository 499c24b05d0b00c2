import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { Express } from 'express';
import request from 'supertest';
import type { z } from 'zod';
import { createApp, type AppDeps } from '../../src/api/app';
import { PlaceGroupBody } from '../../src/api/group-schemas';
import { buildOpenApiDocument, OPERATIONS, type OpenApiDocument } from '../../src/api/openapi/build-document';
import { ErrorBody } from '../../src/api/openapi/error-responses';
import { EXAMPLES } from '../../src/api/openapi/examples';
import { ModifyOrderBody, PlaceOrderBody } from '../../src/api/order-schemas';
import { KillSwitchBody } from '../../src/api/routes/kill-switch-routes';
import { loadAccessConfig } from '../../src/config/access-config';
import { OmsMetrics } from '../../src/metrics/oms-metrics';
import { TEST_KEYS, writeAccessConfig } from '../support/access-config';

/** The contract (GET /api/v1/openapi.json) against the app itself: every route, valid OpenAPI 3.1, examples the API accepts. */
const ROOT = path.resolve(__dirname, '../..');
type Deps = Partial<AppDeps>;

/** Every optional dependency present, so every route is mounted; only the ones a test calls do anything. */
function fullApp(overrides: Deps = {}): Express {
  const stub = <T>() => ({}) as T;
  return createApp({
    orders: stub(), access: loadAccessConfig(writeAccessConfig()), groups: stub(), riskConfig: stub(), positions: stub(), reconciliation: stub(),
    monitors: stub(), executionReport: async () => ({}), saveAccessToken: async () => ({ updatedAt: new Date(0) }), brokerSessions: stub(),
    accountList: async () => [], killSwitch: stub(), liveOrders: stub(), reports: stub(), events: stub(), metrics: { registry: new OmsMetrics() },
    ready: async () => ({ ready: true, checks: {} }), log: () => undefined, ...overrides,
  });
}

interface Layer { route?: { path: string | string[]; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; rawPath?: unknown }

/** `METHOD /path/{param}` of every route registered on the Express 5 router, nested routers included. */
function registeredRoutes(stack: Layer[], prefix = ''): string[] {
  const join = (p: string) => (`${prefix}${p}`.replace(/\/+$/, '') || '/').replace(/:(\w+)/g, '{$1}');
  return stack.flatMap((layer) => {
    if (layer.route) {
      const paths = ([] as string[]).concat(layer.route.path);
      const methods = Object.keys(layer.route.methods).filter((m) => m !== '_all');
      return paths.flatMap((p) => methods.map((m) => `${m.toUpperCase()} ${join(p)}`));
    }
    if (!layer.handle.stack) return [];
    if (typeof layer.rawPath !== 'string') throw new Error(`a router mounted on a non-string path: ${String(layer.rawPath)}`);
    return registeredRoutes(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${layer.rawPath}`);
  });
}

function documentedRoutes(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
}

/** @seriousme/openapi-schema-validator is ESM-only: it runs in a child Node process, as its own CLI would. */
function validateOpenApi(doc: unknown): { valid: boolean; version: string; errors: unknown } {
  const script = `import { Validator } from '@seriousme/openapi-schema-validator';
let s = ''; for await (const c of process.stdin) s += c;
const v = new Validator(); const r = await v.validate(JSON.parse(s));
process.stdout.write(JSON.stringify({ valid: r.valid, version: v.version, errors: r.errors ?? null }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: JSON.stringify(doc), encoding: 'utf8' }));
}

/** The document's component schema as a JSON Schema 2020-12 validator. */
function documentValidator(doc: OpenApiDocument, name: string) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  return ajv.compile(doc.components.schemas[name]);
}

const doc = buildOpenApiDocument();
const op = (p: string, method: string) => doc.paths[p][method] as Record<string, any>;

describe('the OpenAPI document and the routes', () => {
  it('when every route of the app is listed from its router, then each is documented and nothing else is', () => {
    const app = fullApp();
    const routes = [...new Set(registeredRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack))].sort();
    expect(routes).toContain('POST /api/v1/orders');
    expect(routes).toContain('GET /api/v1/orders/{id}');
    expect(routes).toContain('POST /api/v1/webhooks/kite');
    expect(routes.length).toBeGreaterThan(30);
    expect(documentedRoutes(doc).sort()).toEqual(routes);
  });

  it('when an operation has a path parameter, then it is declared, required and from the route schema', () => {
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const operation of Object.values(item) as Record<string, any>[]) {
        const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (operation.parameters ?? []).filter((x: { in: string }) => x.in === 'path');
        expect(declared.map((x: { name: string }) => x.name).sort()).toEqual(inPath.sort());
        for (const x of declared) expect(x.required).toBe(true);
      }
    }
    expect(op('/api/v1/orders/{id}', 'get').parameters[0].schema).toEqual({ type: 'string', pattern: '^order-[A-Za-z0-9_.:-]{1,64}$' });
  });
});

describe('the document is valid OpenAPI 3.1', () => {
  it('when the OpenAPI 3.1 schema validator checks it, then it is valid, and a broken copy is not', () => {
    expect(validateOpenApi(doc)).toEqual({ valid: true, version: '3.1', errors: null });
    const broken = JSON.parse(JSON.stringify(doc));
    broken.paths['/api/v1/orders/{id}'].get.parameters[0].in = 'body'; // Swagger 2's, not a 3.1 parameter location
    expect(validateOpenApi(broken).valid).toBe(false);
  }, 30_000);

  it('when it is built twice, then it is the same, and every $ref, operationId and security scheme resolves', () => {
    expect(buildOpenApiDocument()).toEqual(doc);
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)) expect(doc.components.schemas).toHaveProperty([ref]);
    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item)) as Record<string, any>[];
    const ids = ops.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const o of ops) {
      for (const req of o.security) for (const scheme of Object.keys(req)) expect(doc.components.securitySchemes).toHaveProperty([scheme]);
      expect(Object.keys(o.responses).some((s) => /^[23]\d\d$/.test(s))).toBe(true);
    }
  });

  it('when a route needs a key or the operator role, then it says so, and errors use the one error shape', () => {
    expect(op('/api/v1/orders', 'post').security).toEqual([{ apiKey: [] }, { bearer: [] }]);
    expect(op('/api/v1/kill-switch', 'post')['x-roles']).toEqual(['operator']);
    expect(op('/api/v1/webhooks/kite', 'post').security).toEqual([]);
    expect(op('/api/v1/openapi.json', 'get').security).toEqual([]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    const place = op('/api/v1/orders', 'post').responses;
    expect(place['409']['x-error-codes']).toContain('IDEMPOTENCY_CONFLICT');
    expect(place['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(place['503'].headers).toHaveProperty('Retry-After');
  });
});

describe('the documented request bodies', () => {
  const bodies = OPERATIONS.filter((o) => o.body);

  it('when the main bodies are documented, then each has an example', () => {
    const withExample = bodies.filter((o) => o.body!.example !== undefined).map((o) => o.operationId);
    expect(withExample).toEqual(expect.arrayContaining(['placeOrder', 'modifyOrder', 'cancelAllOrders', 'placeGroup', 'setKillSwitch']));
  });

  it.each(bodies.filter((o) => o.body!.example !== undefined).map((o) => [o.operationId, o] as const))(
    'when the %s example is parsed by the route schema and the document schema, then both accept it',
    (_id, o) => {
      const media = op(o.path, o.method).requestBody.content['application/json'];
      expect(media.example).toEqual(o.body!.example);
      const parsed = o.body!.schema.safeParse(media.example);
      expect(parsed.error?.issues ?? []).toEqual([]);
      const validate = documentValidator(doc, o.body!.name);
      expect(validate(media.example) ? [] : validate.errors).toEqual([]);
    },
  );

  const bad: [string, z.ZodType, string | null, unknown][] = [
    ['a price with 3 decimals', PlaceOrderBody, null, { ...EXAMPLES.placeOrder, price: '10.001' }],
    ['no quantity', PlaceOrderBody, 'PlaceOrderBody', { ...EXAMPLES.placeOrder, quantity: undefined }],
    ['an unknown field', PlaceOrderBody, 'PlaceOrderBody', { ...EXAMPLES.placeOrder, qty: 30 }],
    ['an empty modify', ModifyOrderBody, null, {}],
    ['an unknown kill switch action', KillSwitchBody, 'KillSwitchBody', { ...EXAMPLES.killSwitch, action: 'pause' }],
    ['a bracket whose target is below its stop', PlaceGroupBody, null, { ...EXAMPLES.placeGroup, exits: { targetPrice: '8.00', stopTriggerPrice: '9.00' } }],
  ];
  it.each(bad)('when a body has %s, then the route schema refuses it (and the document schema too where JSON Schema can say it)', (_what, schema, name, body) => {
    const json = JSON.parse(JSON.stringify(body));
    expect(schema.safeParse(json).success).toBe(false);
    if (name) expect(documentValidator(doc, name)(json)).toBe(false);
  });

  it('when the place-order and kill-switch examples are sent to the app, then it accepts them', async () => {
    const placed: unknown[] = [];
    const app = fullApp({
      orders: { placeOrder: async (r: unknown) => (placed.push(r), { created: true, order: { orderId: 'order-api-1', status: 'OPEN' } }) } as unknown as AppDeps['orders'],
      killSwitch: { set: async () => ({ state: { engaged: true }, changed: true }) } as unknown as AppDeps['killSwitch'],
      metrics: undefined,
    });
    const order = await request(app).post('/api/v1/orders').set('x-api-key', TEST_KEYS.strategyA).send(EXAMPLES.placeOrder);
    expect(order.status).toBe(202);
    expect(placed).toEqual([expect.objectContaining({ clientOrderId: 'api-1', pricePaise: 1000 })]);
    const ks = await request(app).post('/api/v1/kill-switch').set('x-api-key', TEST_KEYS.operator).send(EXAMPLES.killSwitch);
    expect(ks.status).toBe(200);
  });
});

describe('GET /api/v1/openapi.json and /api/v1/docs', () => {
  it('when the document is fetched without a key, then it is the generated document', async () => {
    const res = await request(fullApp()).get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    expect(res.text).toContain('"openapi":"3.1.0"'); // what docs/api.md greps for
  });

  it('when the docs page is fetched, then it lists every operation and loads nothing from elsewhere', async () => {
    const res = await request(fullApp()).get('/api/v1/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    for (const o of OPERATIONS) expect(res.text).toContain(`id="${o.operationId}"`);
    expect(res.text).toContain('id="schema-PlaceOrderBody"');
    expect(res.text).not.toMatch(/<script|(src|href)="(https?:)?\/\//i);
  });

  it.each([
    ['no key', 'get', '/api/v1/orders', {}, undefined, 401],
    ['a strategy key on an operator route', 'post', '/api/v1/kill-switch', { 'x-api-key': TEST_KEYS.strategyA }, EXAMPLES.killSwitch, 403],
    ['a body the schema refuses', 'post', '/api/v1/orders', { 'x-api-key': TEST_KEYS.operator }, { quantity: 30 }, 400],
  ] as const)('when the app refuses %s, then the answer has the documented error shape and code', async (_what, method, p, headers, body, status) => {
    const req = request(fullApp({ metrics: undefined }))[method](p).set(headers as Record<string, string>);
    const res = await (body ? req.send(body) : req);
    expect(res.status).toBe(status);
    expect(ErrorBody.safeParse(res.body).success).toBe(true);
    expect(documentValidator(doc, 'Error')(res.body)).toBe(true);
    expect(op(p, method).responses[String(status)]['x-error-codes']).toContain(res.body.error.code);
  });
});
