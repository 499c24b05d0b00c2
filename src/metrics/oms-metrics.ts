import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsStore } from '../store/metrics-store';

/** Seconds buckets from 5 ms to 30 s: broker calls, the gate, HTTP requests and rate-limit waits all fit. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The process's Prometheus metrics (prom-client): what it measures as it works (broker calls, the risk gate, the
 * order rate limiter, HTTP requests) and, at each scrape, what Postgres holds (MetricsStore: orders, fills, findings,
 * kill switches, sessions, webhook backlogs). GET /metrics serves the registry.
 */
export class OmsMetrics {
  readonly registry = new Registry();

  readonly brokerRequest = new Histogram({
    name: 'oms_broker_request_seconds', help: 'Kite API calls by account, call and outcome (ok, or the error kind)',
    labelNames: ['account', 'call', 'outcome'] as const, buckets: BUCKETS, registers: [this.registry],
  });

  readonly brokerErrors = new Counter({
    name: 'oms_broker_errors_total', help: 'Kite API calls that failed, by account, call and error kind (rejected, token, unknown, ...)',
    labelNames: ['account', 'call', 'kind'] as const, registers: [this.registry],
  });

  readonly gate = new Histogram({
    name: 'oms_risk_gate_seconds', help: 'The pre-trade risk gate per order or modify, by result (passed, rejected)',
    labelNames: ['result'] as const, buckets: BUCKETS, registers: [this.registry],
  });

  readonly gateRejections = new Counter({
    name: 'oms_risk_rejections_total', help: 'Orders and modifies the risk gate refused, by the check that refused them',
    labelNames: ['check'] as const, registers: [this.registry],
  });

  readonly limiterWait = new Histogram({
    name: 'oms_rate_limiter_wait_seconds', help: 'How long an order request waited for a Kite rate-limit slot, by account',
    labelNames: ['account'] as const, buckets: BUCKETS, registers: [this.registry],
  });

  readonly limiterQueue = new Gauge({
    name: 'oms_rate_limiter_queue_depth', help: 'Order requests of this process waiting for a Kite rate-limit slot, by account',
    labelNames: ['account'] as const, registers: [this.registry],
  });

  readonly http = new Histogram({
    name: 'oms_http_request_seconds', help: 'HTTP API requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const, buckets: BUCKETS, registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'oms_' });
  }

  /** The measures of one broker account's gateway and limiter. */
  forAccount(account: string): BrokerMetrics {
    return {
      call: (call, seconds, errorKind) => {
        this.brokerRequest.observe({ account, call, outcome: errorKind ?? 'ok' }, seconds);
        if (errorKind) this.brokerErrors.inc({ account, call, kind: errorKind });
      },
      waited: (seconds) => this.limiterWait.observe({ account }, seconds),
      queueDepth: (n) => this.limiterQueue.set({ account }, n),
    };
  }

  /** The gate's measures: its latency, and the check that refused an order. */
  gateMetrics(): GateMetrics {
    return {
      decided: (seconds, refusedBy) => {
        this.gate.observe({ result: refusedBy ? 'rejected' : 'passed' }, seconds);
        if (refusedBy) this.gateRejections.inc({ check: refusedBy });
      },
    };
  }
}

export interface BrokerMetrics {
  /** One Kite call: its name, its duration, and the error kind when it failed. */
  call(call: string, seconds: number, errorKind?: string): void;
  /** An order request got its slot after waiting this long. */
  waited(seconds: number): void;
  queueDepth(n: number): void;
}

export interface GateMetrics {
  /** One gate decision: its duration, and the refusing check when it refused. */
  decided(seconds: number, refusedBy?: string): void;
}

/** What Postgres holds, read at each scrape (one query per family; a failed read leaves the family empty). */
export function registerStateGauges(m: OmsMetrics, store: MetricsStore, now: () => number = Date.now): void {
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>) => Promise<void>) =>
    new Gauge<L>({
      name, help, labelNames, registers: [m.registry],
      async collect() {
        this.reset();
        await fill(this).catch(() => undefined);
      },
    });
  gauge('oms_orders', "Today's orders (IST) by status and strategy", ['status', 'strategy'], async (g) => {
    for (const r of await store.ordersToday(now())) g.set({ status: r.status, strategy: r.strategy }, r.n);
  });
  gauge('oms_open_orders', 'Working orders by broker account', ['account'], async (g) => {
    for (const r of await store.openOrders()) g.set({ account: r.account }, r.n);
  });
  // Both fill families come from one read per scrape.
  let fills: { at: number; rows: ReturnType<MetricsStore['fillsToday']> } | null = null;
  const fillsToday = () => {
    if (!fills || now() - fills.at > 1_000) fills = { at: now(), rows: store.fillsToday(now()) };
    return fills.rows;
  };
  gauge('oms_fills', "Today's fills (IST) by strategy", ['strategy'], async (g) => {
    for (const r of await fillsToday()) g.set({ strategy: r.strategy }, r.n);
  });
  gauge('oms_filled_quantity', "Today's filled quantity (IST) by strategy", ['strategy'], async (g) => {
    for (const r of await fillsToday()) g.set({ strategy: r.strategy }, r.quantity);
  });
  gauge('oms_reconciliation_open_findings', 'Unresolved findings of the latest reconciliation run, by kind', ['kind'], async (g) => {
    for (const r of await store.openFindings()) g.set({ kind: r.kind }, r.n);
  });
  gauge('oms_kill_switch_halted', 'Whether the account is halted by its kill switch (1) or trading (0)', ['account'], async (g) => {
    for (const r of await store.killSwitches()) g.set({ account: r.account }, r.status === 'HALTED' && (r.resetAt === null || r.resetAt.getTime() > now()) ? 1 : 0);
  });
  gauge('oms_broker_session_expires_in_seconds', "Seconds until the account's Kite access token expires (negative: expired)", ['account'], async (g) => {
    for (const r of await store.sessions()) if (r.expiresAt) g.set({ account: r.account }, Math.round((r.expiresAt.getTime() - now()) / 1000));
  });
  gauge('oms_event_delivery_backlog', 'Events a webhook or alert channel has not delivered yet', ['subscription'], async (g) => {
    for (const r of await store.eventBacklog()) g.set({ subscription: r.subscription }, r.behind);
  });
}
