/**
 * The fault run (issue 12): orders arrive at a fixed rate through the HTTP API, mixed MARKET and LIMIT (some LIMITs
 * rest and are then modified or cancelled), while the paper broker answers 502/503/429, holds requests past the OMS's
 * broker timeout and acts late, places an order but never answers, drops postbacks and rejects, and the worker process
 * is SIGKILLed and respawned. Then every order is compared with the broker (fault-run-audit.ts). Shared by
 * test/e2e/fault-run.test.ts (CI size) and bench/fault-run.ts (`npm run fault-run`, full size).
 */
import { auditRun, type BrokerOrder, type Findings, type OmsOrder, type Positions } from './fault-run-audit';
import { RecordingClient } from './fault-run-client';
import { latestExpirySymbols, quietMarketAt } from '../support/paper-instruments';
import { TEST_KEYS } from '../support/access-config';
import type { Stack } from './stack';

/** A stack whose worker runs as its own process (test/e2e/worker-process.ts). */
export interface FaultRunTarget {
  readonly stack: Stack;
  spawn(): void;
  kill(): Promise<void>;
}

export interface FaultRunOptions {
  orders: number;
  ratePerSecond: number;
  kills: number;
  /** How long the worker stays dead after each SIGKILL. */
  downMs?: number;
  /** The OMS's broker timeout (KITE_TIMEOUT_MS of the worker): delays are made longer than it. */
  brokerTimeoutMs?: number;
  /** Deadline for every order to be final (or resting) after the arrivals, and again after the last cancels. */
  settleMs?: number;
  log?: (line: string) => void;
}

export interface FaultRunReport {
  options: Required<Omit<FaultRunOptions, 'log'>>;
  seconds: number;
  sent: number;
  accepted: number;
  finalStatuses: Record<string, number>;
  findings: Findings;
  calls: RecordingClient['calls'];
  unanswered: string[];
  /** Faults by label: added, and used by the broker (added minus left in the queue at the end). */
  faults: Record<string, { added: number; used: number }>;
  killsAt: number[];
  /** For each order a finding names: its audit trail in the OMS and its broker orders' histories. */
  evidence: string[];
}

type Plan = 'market' | 'limit-marketable' | 'rest-modify-fill' | 'rest-cancel' | 'rest-modify-cancel' | 'rest-modify-qty' | 'rest';
/** Ten orders in a row: 4 MARKET, 1 marketable LIMIT, 5 resting LIMITs (filled by a modify, cancelled, or left). */
const PLANS: Plan[] = ['market', 'market', 'rest-cancel', 'limit-marketable', 'rest-modify-fill', 'market', 'rest-modify-cancel', 'rest-modify-qty', 'market', 'rest'];
const STRATEGIES = ['fault-a', 'fault-b', 'fault-c'];
const LTP = 10.5;

type Fault = Record<string, unknown> & { kind: string };
/** Faults met by new orders, one before every third order, in turn. */
const placeFaults = (delayMs: number): Array<[string, Fault]> => [
  ['http_error 502', { kind: 'http_error', status: 502, routes: 'orders' }],
  ['delay (held past the timeout, then acted on)', { kind: 'delay', ms: delayMs, routes: 'orders' }],
  ['http_error 503', { kind: 'http_error', status: 503, routes: 'orders' }],
  ['accept_then_timeout', { kind: 'accept_then_timeout', delayMs: 2 * delayMs }],
  ['http_error 429', { kind: 'http_error', status: 429, routes: 'orders' }],
  ['drop_postbacks', { kind: 'drop_postbacks', count: 3 }],
  ['reject_next (InputException)', { kind: 'reject_next', error_type: 'InputException', message: 'Injected rejection (fault run)', status: 400 }],
];
/** Faults met by modifies and cancels, one before every second one, in turn. */
const changeFaults = (delayMs: number): Array<[string, Fault]> => [
  ['delay (held past the timeout, then acted on)', { kind: 'delay', ms: delayMs, routes: 'orders' }],
  ['http_error 502', { kind: 'http_error', status: 502, routes: 'orders' }],
  ['http_error 503', { kind: 'http_error', status: 503, routes: 'orders' }],
  ['http_error 429', { kind: 'http_error', status: 429, routes: 'orders' }],
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL = ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED', 'FAILED'];
const RESTING = ['OPEN', 'PARTIALLY_FILLED'];

/** Runs the fault run against `target` and returns its figures; it asserts nothing itself. */
export async function runFaultRun(target: FaultRunTarget, opts: FaultRunOptions): Promise<FaultRunReport> {
  const options = { downMs: 1500, brokerTimeoutMs: 1500, settleMs: 180_000, ...opts };
  const log = opts.log ?? (() => undefined);
  const { stack } = target;
  const api = new RecordingClient(stack.sys.apiUrl, TEST_KEYS.operator);
  const faults = new FaultBook(stack);
  const [call, put] = await latestExpirySymbols(stack.control, '52000CE', '52000PE');
  for (const symbol of [call, put]) await quietMarketAt(stack.control, symbol, LTP, { mode: 'auto', partialSlices: 2, sliceIntervalMs: 150 });
  const run = Date.now().toString(36);
  const started = Date.now();

  target.spawn();
  await waitForWorker(stack);
  log(`fault run ${run}: ${options.orders} orders at ${options.ratePerSecond}/s, ${options.kills} SIGKILLs of the worker`);
  const accepted = new Map<string, string>();
  // Delays sit between the OMS's timeout and its settle window (2 x timeout by default): the broker acts late, but
  // before the OMS may conclude that a request it gave up on was never carried out.
  const delayMs = 2 * options.brokerTimeoutMs;
  const driver = new OrderDriver(api, faults, accepted, run, [call, put], placeFaults(delayMs), changeFaults(delayMs));
  const arrivalMs = (options.orders * 1000) / options.ratePerSecond;
  const killsAt: number[] = [];
  const killer = (async () => {
    for (let k = 1; k <= options.kills; k++) {
      await sleep(started + ((k * arrivalMs) / (options.kills + 1)) - Date.now() + 2_000);
      await target.kill();
      killsAt.push((Date.now() - started) / 1000);
      log(`  SIGKILL ${k} of the worker at +${killsAt.at(-1)!.toFixed(1)} s`);
      await sleep(options.downMs);
      target.spawn();
    }
  })();
  const orders: Promise<void>[] = [];
  const t0 = Date.now();
  for (let i = 0; i < options.orders; i++) {
    await sleep(t0 + (i * 1000) / options.ratePerSecond - Date.now());
    orders.push(driver.order(i));
  }
  await killer;
  await Promise.all(orders);
  log(`  every request answered at +${((Date.now() - started) / 1000).toFixed(1)} s; settling`);

  const ids = [...accepted.values()];
  await settle(api, ids, (o) => FINAL.includes(o.status) || (RESTING.includes(o.status) && !o.intervention), options.settleMs);
  const resting = (await readOrders(api)).filter((o) => RESTING.includes(o.status));
  log(`  cancelling ${resting.length} resting orders`);
  await Promise.all(resting.map((o) => api.send('DELETE', `/api/v1/orders/${o.orderId}`)));
  await settle(api, ids, (o) => FINAL.includes(o.status), options.settleMs);
  const faultsUsed = await faults.used();
  await stack.control('DELETE', '/control/faults');

  const { findings, oms } = await auditWhenQuiet(stack, api, accepted);
  const finalStatuses: Record<string, number> = {};
  for (const o of oms) finalStatuses[o.status] = (finalStatuses[o.status] ?? 0) + 1;
  return {
    options: { orders: options.orders, ratePerSecond: options.ratePerSecond, kills: options.kills, downMs: options.downMs, brokerTimeoutMs: options.brokerTimeoutMs, settleMs: options.settleMs },
    seconds: (Date.now() - started) / 1000, sent: options.orders, accepted: accepted.size, finalStatuses, findings,
    calls: api.calls, unanswered: api.unanswered, faults: faultsUsed, killsAt, evidence: await evidenceFor(stack, findings, oms),
  };
}

/** Faults added through the control API, by label, and how many the broker used. */
class FaultBook {
  private readonly added: Array<{ label: string; fault: Fault; units: number }> = [];
  constructor(private readonly stack: Stack) {}

  async add(label: string, fault: Fault): Promise<void> {
    await this.stack.control('POST', '/control/faults', fault);
    this.added.push({ label, fault, units: Number(fault.count ?? 1) });
  }

  /** Added minus what is left in the broker's queue (matched by kind and status). */
  async used(): Promise<Record<string, { added: number; used: number }>> {
    const left: Fault[] = (await this.stack.control('GET', '/control/faults')).faults;
    const out: Record<string, { added: number; used: number }> = {};
    for (const a of this.added) {
      const row = (out[a.label] ??= { added: 0, used: 0 });
      row.added += a.units;
      row.used += a.units;
    }
    for (const f of left) {
      const match = this.added.find((a) => a.fault.kind === f.kind && a.fault.status === f.status && a.fault.ms === f.ms);
      if (match) out[match.label].used -= Number(f.count ?? 1);
    }
    return out;
  }
}

/** One strategy's orders: places each and carries out its plan, meeting the faults it is given on the way. */
class OrderDriver {
  private changes = 0;
  constructor(
    private readonly api: RecordingClient, private readonly faults: FaultBook, private readonly accepted: Map<string, string>,
    private readonly run: string, private readonly symbols: string[],
    private readonly onPlace: Array<[string, Fault]>, private readonly onChange: Array<[string, Fault]>,
  ) {}

  async order(i: number): Promise<void> {
    const plan = PLANS[i % PLANS.length];
    // Two in ten sell one lot (one fills, one rests and is cancelled): short options block ~1.25 lakh of margin each,
    // and the test stack's paper account (10 lakh) must not run out, or margin rejections wait 5 min for an operator.
    const side = i % 10 === 3 || i % 10 === 6 ? 'SELL' : 'BUY';
    const buy = side === 'BUY';
    const clientOrderId = `fr-${this.run}-${i}`;
    const price = plan === 'market' ? undefined : plan === 'limit-marketable' ? (buy ? '11.00' : '10.00') : (buy ? '8.00' : '13.00');
    const body = {
      clientOrderId, strategyId: STRATEGIES[i % STRATEGIES.length], tradingsymbol: this.symbols[Math.floor(i / 2) % 2], exchange: 'NFO',
      side, quantity: buy && i % 3 === 0 ? 60 : 30, orderType: plan === 'market' ? 'MARKET' : 'LIMIT', product: 'NRML', ...(price ? { price } : {}),
    };
    if (i % 3 === 1) await this.faults.add(...this.onPlace[Math.floor(i / 3) % this.onPlace.length]);
    const placed = await this.api.send('POST', '/api/v1/orders', body);
    if (placed.status !== 200 && placed.status !== 202) return;
    const orderId: string = placed.body.order.orderId;
    this.accepted.set(clientOrderId, orderId);
    if (!plan.startsWith('rest-')) return;
    const open = await this.waitUntilResting(orderId);
    if (!open) return;
    if (plan === 'rest-modify-fill') await this.change('PATCH', orderId, { price: buy ? '11.00' : '10.00' });
    if (plan === 'rest-modify-qty') await this.change('PATCH', orderId, { quantity: body.quantity + 30 });
    if (plan === 'rest-modify-cancel') await this.change('PATCH', orderId, { price: buy ? '8.50' : '12.50' });
    if (plan === 'rest-cancel' || plan === 'rest-modify-cancel') await this.change('DELETE', orderId);
  }

  /** A modify or cancel as a strategy sends it; every second one meets a broker fault. */
  private async change(method: 'PATCH' | 'DELETE', orderId: string, body?: unknown): Promise<void> {
    const n = this.changes++;
    if (n % 2 === 0) await this.faults.add(...this.onChange[(n / 2) % this.onChange.length]);
    await this.api.send(method, `/api/v1/orders/${orderId}`, body);
  }

  /** Whether the order rests at the broker within a minute (false: it ended, or never got there). */
  private async waitUntilResting(orderId: string): Promise<boolean> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await this.api.send('GET', `/api/v1/orders/${orderId}`);
      const o = r.body?.order;
      if (o && RESTING.includes(o.status) && !o.intervention) return true;
      if (!o || FINAL.includes(o.status)) return false;
      await sleep(500);
    }
    return false;
  }
}

/** Waits until the task queue has a poller: the first orders should not wait for the worker's start. */
async function waitForWorker(stack: Stack): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await stack.client.workflowService.describeTaskQueue({ namespace: stack.client.options.namespace, taskQueue: { name: stack.taskQueue }, taskQueueType: 1 });
    if (r.pollers?.length) return;
    await sleep(250);
  }
  throw new Error('no worker polled the task queue within 60 s');
}

/** Every order of the run as the API lists it (from Postgres). */
async function readOrders(api: RecordingClient): Promise<OmsOrder[]> {
  const all: OmsOrder[] = [];
  for (const strategyId of STRATEGIES) {
    let cursor: string | undefined;
    do {
      const r = await api.send('GET', `/api/v1/orders?strategyId=${strategyId}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      if (r.status !== 200) throw new Error(`listing orders: ${r.status} ${JSON.stringify(r.body)}`);
      all.push(...r.body.orders);
      cursor = r.body.nextCursor ?? undefined;
    } while (cursor);
  }
  return all;
}

/** Waits until every order in `ids` satisfies `done` (or the deadline passes: the audit reports what is left). */
async function settle(api: RecordingClient, ids: string[], done: (o: OmsOrder) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const byId = new Map((await readOrders(api)).map((o) => [o.orderId, o]));
    if (ids.every((id) => byId.has(id) && done(byId.get(id)!))) return;
    await sleep(1000);
  }
}

/** The audit, repeated for up to 30 s while it finds something: books and positions are saved a moment after a status. */
async function auditWhenQuiet(stack: Stack, api: RecordingClient, accepted: Map<string, string>): Promise<{ findings: Findings; oms: OmsOrder[] }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const oms = await readOrders(api);
    const broker: BrokerOrder[] = (await stack.control('GET', '/control/orders')).orders;
    const findings = auditRun(accepted, oms, broker, await readPositions(stack, api));
    const clean = Object.values(findings).every((list) => list.length === 0);
    if (clean || Date.now() > deadline) return { findings, oms };
    await sleep(2000);
  }
}

async function readPositions(stack: Stack, api: RecordingClient): Promise<Positions> {
  const r = await api.send('GET', '/api/v1/positions');
  if (r.status !== 200) throw new Error(`reading positions: ${r.status} ${JSON.stringify(r.body)}`);
  const byStrategy = new Map<string, number>();
  for (const s of r.body.strategies as Array<{ strategyId: string; net: Array<{ tradingsymbol: string; quantity: number }> }>) {
    for (const p of s.net) byStrategy.set(`${s.strategyId}|${p.tradingsymbol}`, (byStrategy.get(`${s.strategyId}|${p.tradingsymbol}`) ?? 0) + p.quantity);
  }
  const omsAccount = new Map<string, number>();
  for (const p of r.body.account.net as Array<{ tradingsymbol: string; quantity: number }>) omsAccount.set(p.tradingsymbol, (omsAccount.get(p.tradingsymbol) ?? 0) + p.quantity);
  const res = await fetch(`${stack.sys.paperBrokerUrl}/portfolio/positions`, { headers: { Authorization: 'token paper_key:paper_token', 'X-Kite-Version': '3' } });
  const brokerNet = ((await res.json()) as { data: { net: Array<{ tradingsymbol: string; quantity: number }> } }).data.net;
  const broker = new Map<string, number>();
  for (const p of brokerNet) broker.set(p.tradingsymbol, (broker.get(p.tradingsymbol) ?? 0) + p.quantity);
  return { byStrategy, omsAccount, broker };
}

/** The OMS's events and the broker's history of every order a finding names, to say exactly what happened. */
async function evidenceFor(stack: Stack, findings: Findings, oms: OmsOrder[]): Promise<string[]> {
  const out: string[] = [];
  const lines = Object.values(findings).flat();
  const named = new Set(lines.flatMap((line: string) => line.match(/order-fr-[\w-]+/g) ?? []));
  for (const [, tag] of lines.flatMap((line: string) => [...line.matchAll(/under tag "(\w+)" that no OMS order has/g)])) {
    const mentions = await stack.sql<{ order_id: string }>('select distinct order_id from order_events where payload::text like $1', [`%${tag}%`]);
    out.push(`tag ${tag} is mentioned by the OMS events of: ${mentions.map((m) => m.order_id).join(', ') || 'no order'}`);
    for (const m of mentions) named.add(m.order_id);
  }
  const broker: BrokerOrder[] = (await stack.control('GET', '/control/orders')).orders;
  for (const orderId of named) {
    const events = await stack.sql<{ at: Date; type: string; from_status: string | null; to_status: string | null; source: string; payload: unknown }>(
      'select occurred_at as at, type, from_status, to_status, source, payload from order_events where order_id = $1 order by sequence', [orderId]);
    out.push(`${orderId}:`, ...events.map((e) => `    oms ${e.at.toISOString()} ${e.type} ${e.from_status ?? ''}->${e.to_status ?? ''} (${e.source}) ${JSON.stringify(e.payload).slice(0, 300)}`));
    const tag = oms.find((o) => o.orderId === orderId)?.tag;
    for (const b of broker.filter((x) => tag && x.tag === tag)) {
      const res = await fetch(`${stack.sys.paperBrokerUrl}/orders/${b.order_id}`, { headers: { Authorization: 'token paper_key:paper_token', 'X-Kite-Version': '3' } });
      const history = ((await res.json()) as { data: Array<{ status: string; order_timestamp: string; status_message: string | null }> }).data;
      out.push(...history.map((h) => `    broker ${b.order_id} ${h.order_timestamp} ${h.status} ${h.status_message ?? ''}`));
    }
  }
  return out;
}
