import { auditRun, type BrokerOrder, type OmsOrder } from './fault-run-audit';
import { figuresOf, formatReport } from './fault-run-report';
import { runFaultRun } from './fault-run-scenario';
import { useStackWithWorkerProcess } from './worker-process';

/**
 * Issue 12's fault run in CI size (`npm run fault-run` is the full one): 30 orders through the API while the paper
 * broker fails, holds and drops requests and the worker is SIGKILLed twice. Timings are printed, never asserted.
 */
const target = useStackWithWorkerProcess();

it('when 30 orders meet broker faults and two worker SIGKILLs, then every order matches the broker: none lost, none duplicated, no 5xx but a 503 to ask again', async () => {
  const report = await runFaultRun(target, { orders: 30, ratePerSecond: 3, kills: 2 });
  console.log(formatReport(report));
  const figures = figuresOf(report);
  // A 503 with Retry-After (ORDER_STATE_UNAVAILABLE, ORDER_BUSY) is the API's documented "ask again" while a worker is
  // down, and whether one falls in a kill's window is timing: it is printed, not asserted. Every other 5xx is a bug.
  const errors = report.calls.filter((c) => c.status >= 500 && !(c.status === 503 && c.retryAfter)).map((c) => `${c.method} ${c.path}: ${c.status} ${c.code}`);
  expect({ ...report.findings, fiveXx: errors, unanswered: report.unanswered }).toEqual({ lost: [], duplicates: [], mismatches: [], stuck: [], fiveXx: [], unanswered: [] });
  expect(figures.fiveXxErrors).toBe(0);
  expect(report.killsAt).toHaveLength(2);
  expect(Object.values(report.faults).every((f) => f.added > 0)).toBe(true);
}, 170_000);

it('when the broker books disagree with the OMS, then the audit names each lost, duplicated and mismatched order', () => {
  const oms = (orderId: string, status: string, filledQuantity: number, brokerOrderId: string | null): OmsOrder =>
    ({ orderId, clientOrderId: orderId, strategyId: 's', tradingsymbol: 'X', side: 'BUY', status, filledQuantity, brokerOrderId, tag: `t-${orderId}`, intervention: null });
  const broker = (order_id: string, tag: string, status: string, filled_quantity: number): BrokerOrder =>
    ({ order_id, tag, status, filled_quantity, tradingsymbol: 'X', transaction_type: 'BUY' });
  const findings = auditRun(
    new Map([['a', 'a'], ['b', 'b'], ['c', 'c'], ['gone', 'gone']]),
    [oms('a', 'FILLED', 30, '1'), oms('b', 'FAILED', 0, null), oms('c', 'FILLED', 30, '4')],
    [broker('1', 't-a', 'COMPLETE', 30), broker('2', 't-a', 'OPEN', 0), broker('3', 't-b', 'COMPLETE', 30), broker('4', 't-c', 'CANCELLED', 0), broker('5', 't-none', 'OPEN', 0)],
    { byStrategy: new Map([['s|X', 30]]), omsAccount: new Map([['X', 60]]), broker: new Map([['X', 60]]) },
  );
  expect(findings.lost).toEqual([expect.stringContaining('gone: accepted'), expect.stringContaining('b (tag t-b')]);
  expect(findings.duplicates).toEqual([expect.stringContaining('"t-none"'), expect.stringContaining('2 broker orders under one tag')]);
  expect(findings.mismatches).toEqual([
    expect.stringContaining('c (tag t-c, OMS FILLED filled 30, broker id 4): status differs'),
    expect.stringContaining('c (tag t-c, OMS FILLED filled 30, broker id 4): filled quantity differs'),
    'position s|X: OMS 30, broker fills under the strategy\'s tags 60',
  ]);
});
