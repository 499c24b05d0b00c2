import { activeKillSwitch, engage, release, type EngageArgs, type KillSwitchSource, type KillSwitchState } from '../domain/kill-switch';
import type { KillSwitch } from '../generated/prisma/client';
import { json } from './order-store';
import type { Db } from './prisma';
import { lockAccount } from './risk-store';

export interface KillSwitchEventInput {
  /** Deterministic (<account>:<engagementId>:<type>): a retried write is a no-op. */
  id: string;
  account: string;
  type: 'ENGAGED' | 'RELEASED' | 'ORDERS_CANCELLED' | 'POSITIONS_FLATTENED' | 'BREACH_DETECTED';
  engagementId: string | null;
  reason?: string | null;
  source?: string | null;
  by?: string | null;
  payload?: unknown;
  occurredAt: Date;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);
const date = (v: number | null) => (v === null ? null : new Date(v));

function toState(row: KillSwitch | null, account: string): KillSwitchState {
  if (!row) return activeKillSwitch(account);
  return {
    account: row.account, status: row.status as KillSwitchState['status'], reason: row.reason, source: row.source as KillSwitchSource | null, by: row.by,
    engagedAtMs: ms(row.engagedAt), resetAtMs: ms(row.resetAt), releasedAtMs: ms(row.releasedAt), engagementId: row.engagementId,
  };
}

const columns = (s: KillSwitchState) => ({
  status: s.status, reason: s.reason, source: s.source, by: s.by, engagedAt: date(s.engagedAtMs), resetAt: date(s.resetAtMs),
  releasedAt: date(s.releasedAtMs), engagementId: s.engagementId, updatedAt: new Date(),
});

/**
 * The kill switch's durable state. Engage and release take the risk gate's account lock, so an order is either
 * admitted before the halt (and then found by the cancel sweep that follows) or checked against it.
 */
export class KillSwitchStore {
  constructor(private readonly db: Db) {}

  async get(account: string): Promise<KillSwitchState> {
    return toState(await this.db.killSwitch.findUnique({ where: { account } }), account);
  }

  /** HALTED with its ENGAGED event, unless already halted (then the standing engagement is returned, changed: false). */
  async engage(args: Omit<EngageArgs, 'nowMs'> & { nowMs: number; payload?: unknown }): Promise<{ state: KillSwitchState; changed: boolean }> {
    return this.db.$transaction(async (tx) => {
      await lockAccount(tx as unknown as Db, args.account);
      const current = toState(await tx.killSwitch.findUnique({ where: { account: args.account } }), args.account);
      const r = engage(current, args);
      if (!r.changed) return r;
      await tx.killSwitch.upsert({ where: { account: args.account }, create: { account: args.account, ...columns(r.state) }, update: columns(r.state) });
      await tx.killSwitchEvent.createMany({ data: [eventRow({
        id: `${args.account}:${args.engagementId}:ENGAGED`, account: args.account, type: 'ENGAGED', engagementId: args.engagementId, reason: args.reason,
        source: args.source, by: args.by, payload: { resetAt: date(r.state.resetAtMs)?.toISOString() ?? null, ...(args.payload ? { details: args.payload } : {}) }, occurredAt: new Date(args.nowMs),
      })], skipDuplicates: true });
      return r;
    }, { maxWait: 10_000, timeout: 30_000 });
  }

  /** ACTIVE with its RELEASED event; releasing an active switch writes nothing. */
  async release(args: { account: string; reason: string; source: KillSwitchSource; by: string; nowMs: number }): Promise<{ state: KillSwitchState; changed: boolean }> {
    return this.db.$transaction(async (tx) => {
      await lockAccount(tx as unknown as Db, args.account);
      const current = toState(await tx.killSwitch.findUnique({ where: { account: args.account } }), args.account);
      const r = release(current, args);
      if (!r.changed) return r;
      await tx.killSwitch.update({ where: { account: args.account }, data: columns(r.state) });
      await tx.killSwitchEvent.createMany({ data: [eventRow({
        id: `${args.account}:${current.engagementId ?? 'none'}:RELEASED`, account: args.account, type: 'RELEASED', engagementId: current.engagementId,
        reason: args.reason, source: args.source, by: args.by, occurredAt: new Date(args.nowMs),
      })], skipDuplicates: true });
      return r;
    }, { maxWait: 10_000, timeout: 30_000 });
  }

  async recordEvent(e: KillSwitchEventInput): Promise<void> {
    await this.db.killSwitchEvent.createMany({ data: [eventRow(e)], skipDuplicates: true });
  }

  /** The newest events first. */
  async listEvents(account: string, limit = 50) {
    const rows = await this.db.killSwitchEvent.findMany({ where: { account }, orderBy: [{ occurredAt: 'desc' }, { recordedAt: 'desc' }], take: limit });
    return rows.map((r) => ({ id: r.id, type: r.type, engagementId: r.engagementId, reason: r.reason, source: r.source, by: r.by, payload: r.payload, occurredAt: r.occurredAt.toISOString() }));
  }
}

function eventRow(e: KillSwitchEventInput) {
  return {
    id: e.id, account: e.account, type: e.type, engagementId: e.engagementId, reason: e.reason ?? null, source: e.source ?? null, by: e.by ?? null,
    payload: e.payload === undefined ? undefined : json(e.payload), occurredAt: e.occurredAt,
  };
}
