import { admitOrderWith, type OrderActivities } from '../../src/activities/create-activities';
import { recordOutcome } from '../../src/activities/record-outcome';
import type { AuditEvent, OrderState } from '../../src/domain/order-state';
import type { ValidationReport } from '../../src/domain/order-validation';
import { refusedBeforeFill } from '../../src/domain/order-snapshot';
import type { BrokerOrderSnapshot, Fill, Instrument, OrderRequest } from '../../src/domain/order-types';
import type { OrderWorkflowInput } from '../../src/workflows/order-messages';

/** The instrument every stubbed lookup answers with: lot 30, tick 5 paise. */
export const STUB_INSTRUMENT: Instrument = {
  tradingsymbol: 'BANKNIFTY26NOV52000CE', exchange: 'NFO', instrumentToken: 1, lotSize: 30, tickSizePaise: 5, expiry: null, instrumentType: 'CE',
};

export function limitBuy(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: 'client-1', strategyId: 'strat-1', tradingsymbol: STUB_INSTRUMENT.tradingsymbol, exchange: 'NFO', side: 'BUY',
    quantity: 90, orderType: 'LIMIT', product: 'NRML', validity: 'DAY', variety: 'regular', pricePaise: 10_000, ...overrides,
  };
}

export function trade(tradeId: string, quantity: number, pricePaise: number): Fill {
  return { tradeId, quantity, pricePaise, executedAt: '2026-11-24T05:00:01.000Z' };
}

export function snapshot(overrides: Partial<BrokerOrderSnapshot> = {}): BrokerOrderSnapshot {
  return {
    brokerOrderId: 'B-1', status: 'OPEN', statusMessage: null, quantity: 90, filledQuantity: 0, pendingQuantity: 90, cancelledQuantity: 0,
    averagePricePaise: 0, pricePaise: 10_000, triggerPricePaise: null, orderType: 'LIMIT', trades: [], ...overrides,
  };
}

/** OPEN, then 30 of 90 filled, then COMPLETE with all three trades. */
export const FILL_SCRIPT: BrokerOrderSnapshot[] = [
  snapshot(),
  snapshot({ filledQuantity: 30, pendingQuantity: 60, averagePricePaise: 10_000, trades: [trade('T1', 30, 10_000)] }),
  snapshot({ status: 'COMPLETE', filledQuantity: 90, pendingQuantity: 0, averagePricePaise: 10_000, trades: [trade('T1', 30, 10_000), trade('T2', 60, 10_000)] }),
];

export interface StubOptions {
  instrument?: Instrument | null;
  /** Each call answers the next snapshot; the last one repeats. */
  snapshots?: BrokerOrderSnapshot[];
  /** Called instead of the default placement; return a broker order id or throw. */
  submit?: (call: number) => Promise<string> | string;
  /** Snapshots answered after a cancel was accepted. */
  afterCancel?: BrokerOrderSnapshot;
  /** false: placements and reads do not save with their outcome (as when that save fails), so the workflow saves. */
  recordWithOutcome?: boolean;
  /** The first broker read says it started, then waits for `until` before it answers. */
  holdFirstRead?: { started: () => void; until: Promise<void> };
  /** Awaited by saveOrderProgress before it records a save whose state matches. */
  holdSave?: { when: (state: OrderState) => boolean; until: Promise<void> };
  /** The broker shows each accepted modify in the next snapshot (and fills a conversion to MARKET). */
  brokerFollowsModifies?: boolean;
  /** What findBrokerOrderByTag answers (default: nothing found). */
  foundByTag?: { brokerOrderId: string; status: string };
  /** findBrokerOrderByTag by call number (1-based), over foundByTag: an answer, or throw to fail the search. */
  findByTag?: (call: number) => { brokerOrderId: string; status: string } | { settlesInMs: number } | null;
  /** The LTP getLastPrice answers (paise). */
  lastPrice?: number;
  /** An error fetchBrokerOrder throws instead of answering (checked on every call); null to answer. */
  fetchFails?: () => Error | null;
  /** The risk gate's answer; default: the basic report, passed. Throw to make the gate unavailable. */
  risk?: (basic: ValidationReport) => Promise<ValidationReport> | ValidationReport;
  /** The risk gate's answer to a modify; default: passed. */
  modifyRisk?: (basic: ValidationReport, state: OrderState) => Promise<ValidationReport> | ValidationReport;
}

/** Plain-object activities with the OrderActivities shape, recording what the workflow asked of them. */
export function stubActivities(opts: StubOptions = {}) {
  const calls = {
    lookupInstrument: 0, assessOrderRisk: 0, assessModificationRisk: 0, submitOrderToBroker: 0, findBrokerOrderByTag: 0, fetchBrokerOrder: 0, modifyBrokerOrder: 0, cancelBrokerOrder: 0, saveOrderProgress: 0,
  };
  const saves: { state: OrderState; events: AuditEvent[] }[] = [];
  const placements: string[] = [];
  const placeArgs: { lookFirst: boolean }[] = [];
  const modifies: { quantity?: number; pricePaise?: number; triggerPricePaise?: number; orderType?: string }[] = [];
  const snapshots = opts.snapshots ?? FILL_SCRIPT;
  let cancelled = false;
  const activities: OrderActivities = {
    admitOrder: (args) => admitOrderWith(activities.lookupInstrument, activities.assessOrderRisk)(args),
    async lookupInstrument() {
      calls.lookupInstrument++;
      return opts.instrument === undefined ? STUB_INSTRUMENT : opts.instrument;
    },
    async assessOrderRisk(args) {
      calls.assessOrderRisk++;
      const report = opts.risk ? await opts.risk(args.basic) : { ...args.basic, flags: [], configVersion: 'stub' };
      const instrument = args.state.instrument;
      return { ...report, recorded: await recordOutcome(store, recording(args.record), (at) => ({ type: 'VALIDATED', report, instrument, at })) };
    },
    async getLastPrice() {
      return opts.lastPrice ?? null;
    },
    async assessModificationRisk(args) {
      calls.assessModificationRisk++;
      return opts.modifyRisk ? opts.modifyRisk(args.basic, args.state) : { ...args.basic, flags: [], configVersion: 'stub' };
    },
    async submitOrderToBroker(args) {
      placeArgs.push({ lookFirst: args.lookFirst === true });
      const call = ++calls.submitOrderToBroker;
      const brokerOrderId = opts.submit ? await opts.submit(call) : 'B-1';
      placements.push(brokerOrderId);
      // Saved with the outcome, as the real activity does (recordOutcome), into the same list as the workflow's saves.
      const recorded = await recordOutcome(store, recording(args.record), (at) => ({ type: 'SUBMITTED', brokerOrderId, recovered: false, at }));
      return { brokerOrderId, recovered: false, recorded };
    },
    async findBrokerOrderByTag() {
      calls.findBrokerOrderByTag++;
      if (opts.findByTag) return opts.findByTag(calls.findBrokerOrderByTag);
      return opts.foundByTag ?? null;
    },
    async fetchBrokerOrder(args) {
      const failure = opts.fetchFails?.();
      if (failure) throw failure;
      if (calls.fetchBrokerOrder === 0 && opts.holdFirstRead) {
        opts.holdFirstRead.started();
        await opts.holdFirstRead.until;
      }
      const snapshot = brokerView(calls.fetchBrokerOrder++);
      const r = recording(args.record);
      if (!r || refusedBeforeFill(r.state.status, snapshot)) return snapshot;
      return { ...snapshot, recorded: await recordOutcome(store, r, (at) => ({ type: 'BROKER_SNAPSHOT', snapshot, source: r.source, at })) };
    },
    async modifyBrokerOrder(args) {
      calls.modifyBrokerOrder++;
      modifies.push({ ...args.changes });
      return { ok: true, message: 'accepted', recorded: await recordOutcome(store, recording(args.record), null) };
    },
    async cancelBrokerOrder(args) {
      calls.cancelBrokerOrder++;
      cancelled = true;
      return { ok: true, message: 'accepted', recorded: await recordOutcome(store, recording(args.record), null) };
    },
    async saveOrderProgress(args) {
      calls.saveOrderProgress++;
      await store.saveProgress(args.state, args.events);
    },
  };
  const store = {
    async saveProgress(state: OrderState, events: AuditEvent[]) {
      if (opts.holdSave?.when(state)) await opts.holdSave.until;
      saves.push({ state, events });
    },
  };
  const recording = <T>(record: T | undefined) => (opts.recordWithOutcome === false ? undefined : record);
  /** The broker's answer to the i-th read. */
  function brokerView(i: number): BrokerOrderSnapshot {
    if (cancelled && opts.afterCancel) return opts.afterCancel;
    const base = snapshots[Math.min(i, snapshots.length - 1)];
    if (!opts.brokerFollowsModifies) return base;
    // A broker that applies each modify: the latest price/type shows; a MARKET conversion fills at once.
    const last = modifies.at(-1);
    if (last?.orderType === 'MARKET') {
      return { ...base, status: 'COMPLETE', orderType: 'MARKET', filledQuantity: base.quantity, pendingQuantity: 0, averagePricePaise: 10_500, trades: [{ tradeId: 'T-MKT', quantity: base.quantity, pricePaise: 10_500, executedAt: '2026-11-24T04:00:05.000Z' }] };
    }
    return { ...base, pricePaise: last?.pricePaise ?? base.pricePaise };
  }
  return { activities, calls, saves, placements, placeArgs, modifies, events: () => saves.flatMap((s) => s.events) };
}

let seq = 0;
export function uniqueId(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${++seq}`;
}

export function orderInput(orderId: string, request: OrderRequest, overrides: Partial<OrderWorkflowInput> = {}): OrderWorkflowInput {
  return { orderId, request, payloadHash: 'h', receivedAt: new Date().toISOString(), config: { pollMinMs: 1000, pollMaxMs: 5000 }, ...overrides };
}
