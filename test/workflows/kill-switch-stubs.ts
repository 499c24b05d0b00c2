import type { Alert } from '../../src/domain/strategy-events';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { createKillSwitchActivities, type KillSwitchActivityDeps } from '../../src/activities/kill-switch-activities';
import { activeKillSwitch, engage, release, type KillSwitchState } from '../../src/domain/kill-switch';
import type { KillSwitchEventInput, KillSwitchStore } from '../../src/store/kill-switch-store';

/**
 * The kill switch's real activities over an in-memory store (the domain's engage/release, as KillSwitchStore applies
 * them in Postgres). Their clock is the Temporal server's: an activity's scheduled time, so time skipping moves it.
 */
export function stubKillSwitchActivities(opts: { resetAtNextTradingDay: boolean; holidays?: string[] }) {
  let current: KillSwitchState | null = null;
  const events: KillSwitchEventInput[] = [];
  const alerts: Alert[] = [];
  const sweeps = { cancel: 0 };
  const record = (e: KillSwitchEventInput) => { if (!events.some((x) => x.id === e.id)) events.push(e); };
  const store: Pick<KillSwitchStore, 'get' | 'engage' | 'release' | 'recordEvent'> = {
    get: async (account) => current ?? activeKillSwitch(account),
    engage: async (args) => {
      const r = engage(current ?? activeKillSwitch(args.account), args);
      if (r.changed) {
        current = r.state;
        record({ id: `${args.account}:${args.engagementId}:ENGAGED`, account: args.account, type: 'ENGAGED', engagementId: args.engagementId, reason: args.reason, source: args.source, by: args.by, occurredAt: new Date(args.nowMs) });
      }
      return r;
    },
    release: async (args) => {
      const before = current ?? activeKillSwitch(args.account);
      const r = release(before, args);
      if (r.changed) {
        current = r.state;
        record({ id: `${args.account}:${before.engagementId}:RELEASED`, account: args.account, type: 'RELEASED', engagementId: before.engagementId, reason: args.reason, source: args.source, by: args.by, occurredAt: new Date(args.nowMs) });
      }
      return r;
    },
    recordEvent: async (e) => record(e),
  };
  const riskConfig = {
    current: () => ({ config: { killSwitch: { flattenPositions: false, resetAtNextTradingDay: opts.resetAtNextTradingDay }, session: { holidays: opts.holidays ?? [] } } }),
  } as unknown as KillSwitchActivityDeps['riskConfig'];
  const activities = createKillSwitchActivities({
    killSwitches: store, riskConfig, accountNetPnl: async () => '0.00',
    cancelOpenOrders: async () => { sweeps.cancel++; return { asked: 0, results: [], kept: [] }; },
    positions: { listPositions: async () => [] },
    placeOrder: async () => { throw new Error('no orders in this test'); },
    client: {} as Client, taskQueue: 'unused', alerts: { raise: async (a) => void alerts.push(a) },
    now: () => Context.current().info.currentAttemptScheduledTimestampMs,
  });
  return { activities, events, alerts, sweeps, state: () => current };
}
