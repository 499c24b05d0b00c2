import fs from 'node:fs';
import path from 'node:path';
import { Prisma } from '../../src/generated/prisma/client';
import { projectRoot } from '../../src/infra/binaries';
import type { Db } from '../../src/store/prisma';
import { useTestPrisma } from '../support/prisma';

// No schema differ runs here (the migrations are hand-written SQL), so this file is the proof that the migrated
// database is the one schema.prisma describes. The expectations are read from schema.prisma itself.

interface SchemaField { name: string; column: string; type: string; optional: boolean; attrs: string }
interface SchemaModel { name: string; table: string; fields: SchemaField[]; indexes: string[][]; uniques: string[][] }

const SCALARS = new Set(['String', 'Int', 'Boolean', 'Decimal', 'DateTime', 'Json', 'BigInt', 'Float', 'Bytes']);
const fieldList = (inner: string): string[] => inner.split(',').map((f) => f.trim().replace(/\(.*\)$/, '')).filter(Boolean);

function parseSchema(text: string): SchemaModel[] {
  const noComments = text.replace(/\/\/.*$/gm, '');
  return [...noComments.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(([, name, body]) => {
    const lines = body.split('\n').map((l) => l.trim()).filter(Boolean);
    const fields: SchemaField[] = [];
    for (const line of lines.filter((l) => !l.startsWith('@@'))) {
      const m = /^(\w+)\s+(\w+)(\?|\[\])?\s*(.*)$/.exec(line);
      if (!m || !SCALARS.has(m[2]) || m[3] === '[]') continue; // relation fields have no column
      fields.push({ name: m[1], type: m[2], optional: m[3] === '?', attrs: m[4], column: /@map\("([^"]+)"\)/.exec(m[4])?.[1] ?? m[1] });
    }
    const blockArgs = (attr: string) => lines.filter((l) => l.startsWith(`@@${attr}(`)).map((l) => fieldList(/\[([^\]]*)\]/.exec(l)![1]));
    return {
      name, fields,
      table: /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name,
      indexes: blockArgs('index'),
      uniques: [...blockArgs('unique'), ...fields.filter((f) => /@unique\b/.test(f.attrs)).map((f) => [f.name])],
    };
  });
}

/** What Postgres reports as column_default for a field's @default; uuid()/cuid() are filled in by the client. */
function databaseDefault(field: SchemaField, table: string): string | null {
  const value = /@default\(((?:[^()]|\([^()]*\))*)\)/.exec(field.attrs)?.[1];
  if (value === undefined || /^(uuid|cuid|nanoid|ulid)\(/.test(value)) return null;
  if (value === 'autoincrement()') return `nextval('${table}_${field.column}_seq'::regclass)`;
  if (value === 'now()') return 'CURRENT_TIMESTAMP';
  return value.startsWith('"') ? `'${value.slice(1, -1)}'::text` : value;
}

const models = parseSchema(fs.readFileSync(path.join(projectRoot(), 'prisma', 'schema.prisma'), 'utf8'));
const columnsOf = (model: SchemaModel, names: string[]) => names.map((n) => model.fields.find((f) => f.name === n)!.column);
// Prisma's default names: <table>_<columns>_idx / _key, cut to Postgres' 63 characters.
const indexName = (model: SchemaModel, names: string[], suffix: 'idx' | 'key') => `${model.table}_${columnsOf(model, names).join('_')}_${suffix}`.slice(0, 63);

let prisma: Db;
useTestPrisma((p) => { prisma = p; }, 2);

const at = (iso: string) => new Date(iso);
const dec = (v: Prisma.Decimal | null | undefined, scale: number) => v?.toFixed(scale);
let n = 0;
const uid = (prefix: string) => `${prefix}-${++n}`;

/** An order with only the required fields, each unique value fresh. */
function minimalOrder(overrides: Partial<Prisma.OrderUncheckedCreateInput> = {}): Prisma.OrderUncheckedCreateInput {
  const k = ++n;
  return {
    id: `order-${k}`, clientOrderId: `client-${k}`, strategyId: 'strat', tradingsymbol: 'BANKNIFTY26DEC52000CE', exchange: 'NFO',
    side: 'BUY', quantity: 30, orderType: 'LIMIT', product: 'NRML', validity: 'DAY', variety: 'regular', status: 'PENDING',
    tag: `tag-${k}`, payloadHash: `hash-${k}`, ...overrides,
  };
}
const minimalTrade = (orderId: string, overrides: Partial<Prisma.TradeUncheckedCreateInput> = {}): Prisma.TradeUncheckedCreateInput => ({
  brokerTradeId: uid('bt'), orderId, brokerOrderId: 'b-1', tradingsymbol: 'BANKNIFTY26DEC52000CE', exchange: 'NFO', side: 'BUY',
  quantity: 30, price: '101.25', strategyId: 'strat', product: 'NRML', executedAt: at('2026-11-24T04:00:00.000Z'), ...overrides,
});

describe('the migrated database matches schema.prisma', () => {
  it('when the tables are inspected, then every model field has its column with the declared type, nullability, precision and database default', async () => {
    const sqlType: Record<string, string> = { String: 'text', Int: 'integer', BigInt: 'bigint', Boolean: 'boolean', Json: 'jsonb', Decimal: 'numeric', DateTime: 'timestamp with time zone' };
    for (const model of models) {
      const rows = await prisma.$queryRaw<Array<{ column_name: string; data_type: string; is_nullable: string; numeric_precision: number | null; numeric_scale: number | null; datetime_precision: number | null; column_default: string | null }>>`
        SELECT column_name, data_type, is_nullable, numeric_precision, numeric_scale, datetime_precision, column_default
        FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${model.table}`;
      const expected = model.fields.map((f) => {
        const decimal = /@db\.Decimal\((\d+),\s*(\d+)\)/.exec(f.attrs);
        const tz = /@db\.Timestamptz\((\d+)\)/.exec(f.attrs);
        return {
          column_name: f.column, data_type: sqlType[f.type], is_nullable: f.optional ? 'YES' : 'NO',
          numeric_precision: decimal ? Number(decimal[1]) : null, numeric_scale: decimal ? Number(decimal[2]) : null,
          datetime_precision: tz ? Number(tz[1]) : null, column_default: databaseDefault(f, model.table),
        };
      });
      const actual = rows.map((r) => ({ ...r, numeric_precision: r.data_type === 'numeric' ? r.numeric_precision : null, numeric_scale: r.data_type === 'numeric' ? r.numeric_scale : null, datetime_precision: r.data_type.startsWith('timestamp') ? r.datetime_precision : null }));
      const byName = (a: { column_name: string }, b: { column_name: string }) => a.column_name.localeCompare(b.column_name);
      expect({ table: model.table, columns: actual.sort(byName) }).toEqual({ table: model.table, columns: expected.sort(byName) });
    }
  });

  it('when the indexes are listed, then every @@index, @unique and @@unique exists under Prisma\'s name on its columns in order, and there are no others', async () => {
    const rows = await prisma.$queryRaw<Array<{ tablename: string; indexname: string; indexdef: string }>>`
      SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`;
    const expected = models.flatMap((m) => [
      ...m.indexes.map((f) => ({ tablename: m.table, indexname: indexName(m, f, 'idx'), unique: false, columns: columnsOf(m, f).join(', ') })),
      ...m.uniques.map((f) => ({ tablename: m.table, indexname: indexName(m, f, 'key'), unique: true, columns: columnsOf(m, f).join(', ') })),
      { tablename: m.table, indexname: `${m.table}_pkey`, unique: true, columns: columnsOf(m, [m.fields.find((f) => /@id\b/.test(f.attrs))!.name]).join(', ') },
    ]);
    const actual = rows.map((r) => ({ tablename: r.tablename, indexname: r.indexname, unique: r.indexdef.startsWith('CREATE UNIQUE'), columns: /USING btree \((.*)\)$/.exec(r.indexdef)?.[1] ?? r.indexdef }));
    expect(expected.map((e) => e.indexname)).toEqual(expect.arrayContaining(['orders_risk_account_status_idx', 'orders_risk_account_created_at_idx', 'trades_order_id_idx']));
    expect(actual.sort((a, b) => a.indexname.localeCompare(b.indexname))).toEqual(expected.sort((a, b) => a.indexname.localeCompare(b.indexname)));
  });
});

describe('every model round-trips through the generated client', () => {
  it('when every field of an order is written, then it reads back the same', async () => {
    const data = minimalOrder({
      side: 'SELL', quantity: 60, orderType: 'SL', product: 'MIS', validity: 'IOC', variety: 'amo', status: 'OPEN',
      price: '250.35', triggerPrice: '251.05', stopLoss: '260.10', takeProfit: '200.95', statusMessage: 'waiting',
      filledQuantity: 30, averagePrice: '123.4567', brokerOrderId: uid('broker'), brokerStatus: 'TRIGGER PENDING',
      createdAt: at('2026-11-20T03:45:12.345Z'), submittedAt: at('2026-11-20T03:45:13.001Z'), updatedAt: at('2026-11-20T03:46:00.999Z'),
      filledAt: at('2026-11-20T03:47:01.500Z'), validationResult: { passed: true, checks: [{ check: 'tick', passed: true }], configVersion: 'v7' },
      metadata: { source: 'test', legs: [1, 2], nested: { ok: null } }, riskAccount: 'acct-1', underlying: 'BANKNIFTY',
      referencePrice: '99999999999.99', reservedMargin: '12345678901234.56', riskPassed: true,
    });
    await prisma.order.create({ data });
    const row = await prisma.order.findUniqueOrThrow({ where: { id: data.id } });
    const decimals = { price: 2, triggerPrice: 2, stopLoss: 2, takeProfit: 2, averagePrice: 4, referencePrice: 2, reservedMargin: 2 } as const;
    for (const [field, scale] of Object.entries(decimals)) expect({ field, value: dec(row[field as keyof typeof decimals], scale) }).toEqual({ field, value: data[field as keyof typeof decimals] });
    const { price: _p, triggerPrice: _t, stopLoss: _s, takeProfit: _tp, averagePrice: _a, referencePrice: _r, reservedMargin: _m, ...rest } = data;
    expect(row).toMatchObject(rest);
  });

  it('when an order is written with only its required fields, then the defaults apply', async () => {
    const before = Date.now();
    const row = await prisma.order.create({ data: minimalOrder() });
    expect(row).toMatchObject({ filledQuantity: 0, riskPassed: false, price: null, averagePrice: null, brokerOrderId: null, riskAccount: null, reservedMargin: null, validationResult: null, metadata: null });
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(row.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
  });

  it('when every field of an order event is written, then it reads back the same; recordedAt defaults to now', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const data = { id: `${order.id}:1`, orderId: order.id, sequence: 1, type: 'STATUS_CHANGED', fromStatus: 'PENDING', toStatus: 'OPEN', source: 'broker-postback', actor: 'broker:postback', payload: { brokerStatus: 'OPEN', qty: 30 }, occurredAt: at('2026-11-24T04:01:02.003Z'), recordedAt: at('2026-11-24T04:01:03.004Z') };
    await prisma.orderEvent.create({ data });
    expect(await prisma.orderEvent.findUniqueOrThrow({ where: { id: data.id } })).toEqual(data);
    const bare = await prisma.orderEvent.create({ data: { id: `${order.id}:2`, orderId: order.id, sequence: 2, type: 'NOTE', source: 'operator', occurredAt: at('2026-11-24T04:02:00.000Z') } });
    expect(bare).toMatchObject({ fromStatus: null, toStatus: null, payload: null });
    expect(Math.abs(bare.recordedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('when every field of a trade is written, then it reads back the same, charges to four decimals', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const charges = { brokerage: '20.0000', stt: '4.5678', exchangeCharges: '1.2345', sebiCharges: '0.0030', stampDuty: '0.0912', gst: '3.8123', totalCharges: '29.7088' };
    const data = { id: uid('trade'), ...minimalTrade(order.id, { side: 'SELL', quantity: 15, price: '999999999999.95', createdAt: at('2026-11-24T04:00:01.234Z') }), ...charges };
    await prisma.trade.create({ data });
    const row = await prisma.trade.findUniqueOrThrow({ where: { id: data.id } });
    for (const [field, value] of Object.entries(charges)) expect({ field, value: dec(row[field as keyof typeof charges], 4) }).toEqual({ field, value });
    expect(dec(row.price, 2)).toBe('999999999999.95');
    const { price: _p, brokerage: _b, stt: _s, exchangeCharges: _e, sebiCharges: _sc, stampDuty: _sd, gst: _g, totalCharges: _t, ...rest } = data;
    expect(row).toMatchObject(rest);
  });

  it('when a trade is written without charges, then every charge is zero and it gets an id and createdAt', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const row = await prisma.trade.create({ data: minimalTrade(order.id) });
    for (const field of ['brokerage', 'stt', 'exchangeCharges', 'sebiCharges', 'stampDuty', 'gst', 'totalCharges'] as const) expect({ field, value: dec(row[field], 4) }).toEqual({ field, value: '0.0000' });
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Math.abs(row.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('when every field of a position is written, then it reads back the same; an empty position defaults to zeros', async () => {
    const money = ['openValue', 'realizedPnl', 'charges', 'buyValue', 'sellValue', 'overnightValue', 'dayBuyValue', 'daySellValue', 'dayRealizedPnl', 'dayCharges'] as const;
    const data = {
      id: uid('pos'), strategyId: 's1', tradingsymbol: 'NIFTY26DEC24000PE', exchange: 'NFO', product: 'MIS', quantity: -45, averagePrice: '123.4567',
      openValue: '5555.55', realizedPnl: '-98765.43', charges: '56.01', buyQuantity: 15, buyValue: '1500.00', sellQuantity: 60, sellValue: '7000.10',
      tradingDay: '2026-11-24', overnightQuantity: -30, overnightValue: '3600.00', dayBuyQuantity: 15, dayBuyValue: '1500.00', daySellQuantity: 30,
      daySellValue: '3400.10', dayRealizedPnl: '12.34', dayCharges: '30.52', lastTradeId: 'bt-last', updatedAt: at('2026-11-24T05:06:07.089Z'),
    };
    await prisma.position.create({ data });
    const row = await prisma.position.findUniqueOrThrow({ where: { id: data.id } });
    expect({ ...row, averagePrice: dec(row.averagePrice, 4), ...Object.fromEntries(money.map((k) => [k, dec(row[k], 2)])) }).toEqual(data);
    const bare = await prisma.position.create({ data: { strategyId: '*', tradingsymbol: 'NIFTY26DEC24000PE', exchange: 'NFO', product: 'NRML' } });
    expect({ quantity: bare.quantity, averagePrice: bare.averagePrice, tradingDay: bare.tradingDay, lastTradeId: bare.lastTradeId, ...Object.fromEntries(money.map((k) => [k, dec(bare[k], 2)])) })
      .toEqual({ quantity: 0, averagePrice: null, tradingDay: null, lastTradeId: null, ...Object.fromEntries(money.map((k) => [k, '0.00'])) });
  });

  it('when every field of a reconciliation entry is written, then it reads back the same; createdAt defaults to now', async () => {
    const data = {
      id: uid('rec'), runId: 'run-1', kind: 'QUANTITY_MISMATCH', key: 'NFO:NIFTY26DEC24000PE:NRML', tradingsymbol: 'NIFTY26DEC24000PE', exchange: 'NFO', product: 'NRML', orderId: 'order-x',
      internal: { quantity: 30 }, broker: { quantity: 60, list: ['a'] }, policy: 'trust-broker', resolution: 'CORRECTED', detail: { adjustment: { side: 'BUY', quantity: 30 } },
      resolvedAt: at('2026-11-24T06:00:00.001Z'), createdAt: at('2026-11-24T05:59:59.999Z'),
    };
    await prisma.reconciliationLog.create({ data });
    expect(await prisma.reconciliationLog.findUniqueOrThrow({ where: { id: data.id } })).toEqual(data);
    const bare = await prisma.reconciliationLog.create({ data: { runId: 'run-2', kind: 'UNKNOWN_ORDER' } });
    expect(bare).toMatchObject({ key: '', tradingsymbol: null, product: null, orderId: null, internal: null, broker: null, policy: null, detail: null, resolvedAt: null });
    expect(Math.abs(bare.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('when every field of a reconciliation run is written, then it reads back the same; counts default to 0 and finishedAt to now', async () => {
    const data = {
      id: uid('run'), status: 'APPLIED', startedAt: at('2026-11-24T05:00:00.001Z'), finishedAt: at('2026-11-24T05:00:01.002Z'),
      brokerPositions: 3, internalPositions: 2, brokerOrders: 7, findings: 2, corrections: 1, summary: { resolutions: { CORRECTED: 1, ALERTED: 1 } },
    };
    await prisma.reconciliationRun.create({ data });
    expect(await prisma.reconciliationRun.findUniqueOrThrow({ where: { id: data.id } })).toEqual(data);
    const bare = await prisma.reconciliationRun.create({ data: { id: uid('run'), status: 'APPLIED', startedAt: at('2026-11-24T05:00:00.000Z') } });
    expect(bare).toMatchObject({ brokerPositions: 0, internalPositions: 0, brokerOrders: 0, findings: 0, corrections: 0, summary: null });
    expect(Math.abs(bare.finishedAt.getTime() - Date.now())).toBeLessThan(60_000);
    await expect(prisma.reconciliationRun.create({ data: { id: data.id, status: 'APPLIED', startedAt: data.startedAt } })).rejects.toEqual(expect.objectContaining({ code: 'P2002' }));
  });
});

describe('the uniques the store relies on', () => {
  const duplicate = expect.objectContaining({ code: 'P2002' });

  it.each([
    ['client order id', (o: Prisma.OrderUncheckedCreateInput) => ({ clientOrderId: o.clientOrderId })],
    ['tag', (o: Prisma.OrderUncheckedCreateInput) => ({ tag: o.tag })],
    ['broker order id', (o: Prisma.OrderUncheckedCreateInput) => ({ brokerOrderId: o.brokerOrderId })],
  ])('when a second order reuses the %s, then it is rejected as a duplicate', async (_name, reuse) => {
    const first = minimalOrder({ brokerOrderId: uid('broker') });
    await prisma.order.create({ data: first });
    await expect(prisma.order.create({ data: minimalOrder({ brokerOrderId: uid('broker'), ...reuse(first) }) })).rejects.toEqual(duplicate);
  });

  it('when several orders have not reached the broker yet, then their empty broker order ids do not collide', async () => {
    await prisma.order.create({ data: minimalOrder() });
    await expect(prisma.order.create({ data: minimalOrder() })).resolves.toMatchObject({ brokerOrderId: null });
  });

  it('when an event reuses an order\'s sequence under another id, then it is rejected as a duplicate', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const event = { orderId: order.id, sequence: 1, type: 'CREATED', source: 'api', occurredAt: at('2026-11-24T04:00:00.000Z') };
    await prisma.orderEvent.create({ data: { id: `${order.id}:1`, ...event } });
    await expect(prisma.orderEvent.create({ data: { id: `${order.id}:other`, ...event } })).rejects.toEqual(duplicate);
  });

  it('when a trade reuses a broker trade id, then it is rejected as a duplicate', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const trade = await prisma.trade.create({ data: minimalTrade(order.id) });
    await expect(prisma.trade.create({ data: minimalTrade(order.id, { brokerTradeId: trade.brokerTradeId }) })).rejects.toEqual(duplicate);
  });

  it('when a second position opens for the same strategy, symbol, exchange and product, then it is rejected; another product or strategy is a new position', async () => {
    const key = { strategyId: 's1', tradingsymbol: uid('SYM'), exchange: 'NFO', product: 'NRML' };
    await prisma.position.create({ data: key });
    await expect(prisma.position.create({ data: key })).rejects.toEqual(duplicate);
    await expect(prisma.position.create({ data: { ...key, product: 'MIS' } })).resolves.toMatchObject({ product: 'MIS' });
    await expect(prisma.position.create({ data: { ...key, strategyId: '*' } })).resolves.toMatchObject({ strategyId: '*' });
  });
});

describe('the relations to orders', () => {
  it('when an event or a trade names an order that does not exist, then the foreign key rejects it', async () => {
    const missing = uid('no-such-order');
    const orphan = expect.objectContaining({ code: 'P2003' });
    await expect(prisma.orderEvent.create({ data: { id: `${missing}:1`, orderId: missing, sequence: 1, type: 'T', source: 'api', occurredAt: at('2026-11-24T04:00:00.000Z') } })).rejects.toEqual(orphan);
    await expect(prisma.trade.create({ data: minimalTrade(missing) })).rejects.toEqual(orphan);
  });
});

describe('idempotent retries with createMany skipDuplicates', () => {
  it('when audit events are written again, then only the new one is inserted and nothing throws', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const event = (sequence: number) => ({ id: `${order.id}:${sequence}`, orderId: order.id, sequence, type: 'T', source: 'workflow', payload: { sequence }, occurredAt: at('2026-11-24T04:00:00.000Z') });
    await expect(prisma.orderEvent.createMany({ data: [event(1), event(2)], skipDuplicates: true })).resolves.toEqual({ count: 2 });
    await expect(prisma.orderEvent.createMany({ data: [event(1), event(2)], skipDuplicates: true })).resolves.toEqual({ count: 0 });
    await expect(prisma.orderEvent.createMany({ data: [event(2), event(3)], skipDuplicates: true })).resolves.toEqual({ count: 1 });
    expect((await prisma.orderEvent.findMany({ where: { orderId: order.id }, orderBy: { sequence: 'asc' } })).map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it('when fills are written again under new row ids, then the broker trade id keeps them from doubling and nothing throws', async () => {
    const order = await prisma.order.create({ data: minimalOrder() });
    const fills = [minimalTrade(order.id), minimalTrade(order.id)];
    await expect(prisma.trade.createMany({ data: fills, skipDuplicates: true })).resolves.toEqual({ count: 2 });
    await expect(prisma.trade.createMany({ data: fills, skipDuplicates: true })).resolves.toEqual({ count: 0 });
    await expect(prisma.trade.createMany({ data: [...fills, minimalTrade(order.id)], skipDuplicates: true })).resolves.toEqual({ count: 1 });
    expect(await prisma.trade.count({ where: { orderId: order.id } })).toBe(3);
  });
});
