import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_FALLBACK, mergeFallback, type FallbackOverride } from '../../src/domain/fallback';
import type { BrokerOrderSnapshot, OrderRequest } from '../../src/domain/order-types';
import { orderLifecycleWorkflow } from '../../src/workflows';
import { interventionUpdate } from '../../src/workflows/order-messages';
import { replayAndRecord } from '../support/replay';
import { useWorkflowTestServer } from '../support/workflow-suite';
import { waitForOrder, withOrderWorkflow } from './order-harness';
import { limitBuy, stubActivities } from './order-stubs';
import { admitOrderWith } from '../../src/activities/create-activities';

/**
 * The fallback ladder on the time-skipping server: a broker that refuses placements (by a scripted answer per
 * placement) and otherwise fills every order it accepts in full, one broker order per tag.
 */
const suite = useWorkflowTestServer();

type Refusal = { errorType: string; message: string } | 'async-margin';
interface Placed { tag: string; orderId: string; quantity: number; orderType: string; brokerOrderId: string | null; refused: boolean }

/** A broker keyed by tag: refuses the n-th placement as scripted, else fills the order completely. */
function fakeBroker(refusals: Refusal[], freezeLimit: number | null = null) {
  const stubs = stubActivities();
  const placed: Placed[] = [];
  const asyncRejected = new Set<string>();
  const byId = new Map<string, Placed>();
  const activities = {
    ...stubs.activities,
    admitOrder: (args: Parameters<typeof stubs.activities.admitOrder>[0]) => admitOrderWith(activities.lookupInstrument, activities.assessOrderRisk)(args),
    async assessOrderRisk(args: Parameters<typeof stubs.activities.assessOrderRisk>[0]) {
      const checks = freezeLimit === null ? args.basic.checks : [...args.basic.checks, { check: 'freeze_quantity', passed: true, limit: freezeLimit }];
      return { ...args.basic, checks, flags: [], configVersion: 'stub' };
    },
    async submitOrderToBroker(args: { orderId: string; tag: string; request: OrderRequest }) {
      const refusal = refusals[placed.length];
      const p: Placed = { tag: args.tag, orderId: args.orderId, quantity: args.request.quantity, orderType: args.request.orderType, brokerOrderId: null, refused: refusal !== undefined };
      placed.push(p);
      if (refusal && refusal !== 'async-margin') throw ApplicationFailure.create({ type: 'BROKER_REJECTED', nonRetryable: true, message: refusal.message, details: [refusal.errorType] });
      p.brokerOrderId = `B-${placed.length}`;
      byId.set(p.brokerOrderId, p);
      if (refusal === 'async-margin') asyncRejected.add(p.brokerOrderId);
      return { brokerOrderId: p.brokerOrderId, recovered: false };
    },
    async fetchBrokerOrder(args: { brokerOrderId: string }): Promise<BrokerOrderSnapshot> {
      const p = byId.get(args.brokerOrderId)!;
      const base = { brokerOrderId: args.brokerOrderId, quantity: p.quantity, cancelledQuantity: 0, pricePaise: null, triggerPricePaise: null, orderType: p.orderType };
      if (asyncRejected.has(args.brokerOrderId)) {
        return { ...base, status: 'REJECTED', statusMessage: 'Insufficient funds. Required margin is 95000.00 but available margin is 40000.00.', filledQuantity: 0, pendingQuantity: 0, averagePricePaise: 0, trades: [] };
      }
      return {
        ...base, status: 'COMPLETE', statusMessage: null, filledQuantity: p.quantity, pendingQuantity: 0, averagePricePaise: 10_000,
        trades: [{ tradeId: `T-${args.brokerOrderId}`, quantity: p.quantity, pricePaise: 10_000, executedAt: '2026-11-24T05:00:01.000Z' }],
      };
    },
  };
  return { activities, placed, stubs };
}

function run<T>(broker: ReturnType<typeof fakeBroker>, request: OrderRequest, fallback: FallbackOverride, body: (h: WorkflowHandle<typeof orderLifecycleWorkflow>) => Promise<T>): Promise<T> {
  return withOrderWorkflow(suite, broker.activities, request, { fallback: mergeFallback(DEFAULT_FALLBACK, fallback) }, body);
}

const MARGIN = { errorType: 'MarginException', message: 'Insufficient funds' };

describe('the fallback ladder after a broker rejection', () => {
  it('when the broker refuses 90 and 60 for margin, then the order is re-placed reduced by a lot each time, under a new tag, and 30 fills', async () => {
    const broker = fakeBroker([MARGIN, MARGIN]);
    const final = await run(broker, limitBuy(), {}, async (h) => {
      const result = await h.result();
      await replayAndRecord(suite.workflowBundle, h, 'order-fallback-reduce');
      return result;
    });
    expect(broker.placed.map((p) => [p.quantity, p.refused])).toEqual([[90, true], [60, true], [30, false]]);
    expect(new Set(broker.placed.map((p) => p.tag)).size).toBe(3);
    expect(final).toMatchObject({ status: 'FILLED', quantity: 30, filledQuantity: 30, tag: broker.placed[2].tag });
    expect(final.attempts?.map((a) => [a.quantity, a.rejection, a.rung])).toEqual([[90, 'margin', 'reduce'], [60, 'margin', 'reduce']]);
  });

  it('when the broker accepts the order and its RMS then rejects it for margin, then the ladder reduces it just the same', async () => {
    const broker = fakeBroker(['async-margin']);
    const final = await run(broker, limitBuy(), {}, (h) => h.result());
    expect(broker.placed.map((p) => p.quantity)).toEqual([90, 60]);
    expect(final).toMatchObject({ status: 'FILLED', filledQuantity: 60 });
    expect(final.attempts?.[0]).toMatchObject({ brokerOrderId: 'B-1', rejection: 'margin' });
  });

  it('when the ladder has no rung for the rejection, then the order ends REJECTED after one placement', async () => {
    const broker = fakeBroker([{ errorType: 'InputException', message: 'Invalid price' }]);
    const final = await run(broker, limitBuy(), {}, (h) => h.result());
    expect(broker.placed).toHaveLength(1);
    expect(final).toMatchObject({ status: 'REJECTED', statusMessage: 'Invalid price' });
  });

  it('when market conversion is the configured rung, then a refused LIMIT is re-placed once as MARKET', async () => {
    const broker = fakeBroker([{ errorType: 'OrderException', message: 'price outside the band' }]);
    const final = await run(broker, limitBuy(), { onRejection: { order: ['market'] } }, (h) => h.result());
    expect(broker.placed.map((p) => p.orderType)).toEqual(['LIMIT', 'MARKET']);
    expect(final).toMatchObject({ status: 'FILLED', orderType: 'MARKET' });
  });

  it('when nobody answers a manual review within its timeout, then the default action (abandon) ends the order REJECTED with the broker’s refusal', async () => {
    const broker = fakeBroker([{ errorType: 'OrderException', message: 'RMS: blocked' }]);
    const final = await run(broker, limitBuy(), { manual: { timeoutMs: 60_000, defaultAction: 'abandon' } }, async (h) => {
      const waiting = await waitForOrder(h, (s) => !!s.intervention);
      expect(waiting.intervention).toMatchObject({ reason: 'MANUAL_REVIEW', actions: ['retry', 'modify', 'convert', 'abandon'] });
      return h.result(); // the time-skipping server jumps over the 60 s timeout
    });
    expect(broker.placed).toHaveLength(1);
    // it ends as what it was: refused by the broker (not CANCELLED "before it reached the broker")
    expect(final.status).toBe('REJECTED');
    expect(final.statusMessage).toMatch(/the broker refused it \(.*RMS: blocked\); abandoned at manual review/);
    expect(broker.stubs.events().find((e) => e.type === 'INTERVENTION_RESOLVED')?.payload).toMatchObject({ action: 'abandon', by: 'timeout' });
  });

  it('when the operator answers a manual review with modify, then the order is re-placed with the operator’s quantity and fills', async () => {
    const broker = fakeBroker([{ errorType: 'OrderException', message: 'RMS: blocked' }]);
    const final = await run(broker, limitBuy(), {}, async (h) => {
      await waitForOrder(h, (s) => !!s.intervention);
      await h.executeUpdate(interventionUpdate, { args: [{ action: 'modify', changes: { quantity: 30 }, by: 'ops' }] });
      const result = await h.result();
      await replayAndRecord(suite.workflowBundle, h, 'order-manual-review');
      return result;
    });
    expect(broker.placed.map((p) => p.quantity)).toEqual([90, 30]);
    expect(final).toMatchObject({ status: 'FILLED', filledQuantity: 30, intervention: null });
  });

  it('when a freeze rejection meets the split rung, then the order becomes slices (child orders) and fills as their sum', async () => {
    const broker = fakeBroker([{ errorType: 'InputException', message: 'Quantity exceeds the freeze limit of 600. Slice the order.' }], 600);
    const final = await run(broker, limitBuy({ quantity: 1500 }), {}, (h) => h.result());
    // The slices are placed concurrently: their arrival order at the broker is not part of the behaviour.
    const slices = broker.placed.slice(1);
    expect(slices.map((p) => p.quantity).sort((a, b) => a - b)).toEqual([480, 510, 510]);
    expect(new Set(slices.map((p) => p.orderId)).size).toBe(3);
    expect(final).toMatchObject({ status: 'FILLED', filledQuantity: 1500, averagePrice: '100.0000' });
    expect(final.slices?.map((x) => [x.status, x.filledQuantity])).toEqual([['FILLED', 510], ['FILLED', 510], ['FILLED', 480]]);
    expect(final.slices?.map((x) => slices.filter((p) => p.orderId === x.orderId).map((p) => p.quantity))).toEqual([[510], [510], [480]]);
  });

  it('when an order asks to be split above its freeze quantity, then it is placed as slices from the start, never as one order', async () => {
    const broker = fakeBroker([], 600);
    const final = await run(broker, limitBuy({ quantity: 1200, split: true }), {}, async (h) => {
      const result = await h.result();
      await replayAndRecord(suite.workflowBundle, h, 'order-split');
      return result;
    });
    expect(broker.placed.map((p) => p.quantity)).toEqual([600, 600]);
    expect(final).toMatchObject({ status: 'FILLED', filledQuantity: 1200, brokerOrderId: null });
    // Each slice is an order workflow of its own, started as a child of this one.
    const child = await suite.env.client.workflow.getHandle(final.slices![0].orderId).result();
    expect(child).toMatchObject({ status: 'FILLED', quantity: 600, link: { parentId: final.orderId, role: 'slice-1', riskCovered: true } });
  });
});
