import type { Db } from '../../src/store/prisma';
import { KillSwitchStore } from '../../src/store/kill-switch-store';
import { useTestPrisma } from '../support/prisma';

let prisma: Db;
let store: KillSwitchStore;
const NOW = Date.parse('2026-11-20T05:30:00.000Z'); // Friday 11:00 IST
useTestPrisma((p) => { prisma = p; store = new KillSwitchStore(p); }, 4);

const engageArgs = (account: string, engagementId: string, nowMs = NOW) => ({
  account, engagementId, reason: 'loss', source: 'daily-loss-check' as const, by: 'check', nowMs, resetAtNextTradingDay: true, holidays: ['2026-11-23'],
});

describe('KillSwitchStore (real Postgres)', () => {
  it('when an account that was never engaged is read, then it is ACTIVE', async () => {
    expect(await store.get('fresh')).toMatchObject({ account: 'fresh', status: 'ACTIVE', engagementId: null });
  });

  it('when engaged, then HALTED is persisted with its reset at the next trading day and one ENGAGED event', async () => {
    const r = await store.engage(engageArgs('a1', 'e1'));
    expect(r.changed).toBe(true);
    expect(await store.get('a1')).toMatchObject({ status: 'HALTED', engagementId: 'e1', resetAtMs: Date.parse('2026-11-23T18:30:00.000Z') }); // Tue 00:00 IST (Mon holiday)
    expect((await store.listEvents('a1')).map((e) => e.type)).toEqual(['ENGAGED']);
  });

  it('when the same engagement is written again (a retried activity) or another engage arrives while halted, then nothing changes', async () => {
    await store.engage(engageArgs('a2', 'e1'));
    const retry = await store.engage(engageArgs('a2', 'e1'));
    const other = await store.engage(engageArgs('a2', 'e2'));
    expect([retry.changed, other.changed]).toEqual([false, false]);
    expect(other.state.engagementId).toBe('e1');
    expect(await prisma.killSwitchEvent.count({ where: { account: 'a2' } })).toBe(1);
  });

  it('when five engages race, then exactly one engagement wins', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => store.engage(engageArgs('a3', `race-${i}`))));
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(await prisma.killSwitchEvent.count({ where: { account: 'a3', type: 'ENGAGED' } })).toBe(1);
  });

  it('when released, then ACTIVE with a RELEASED event; a second release writes nothing', async () => {
    await store.engage(engageArgs('a4', 'e1'));
    const first = await store.release({ account: 'a4', reason: 'ok', source: 'api', by: 'ops', nowMs: NOW + 1000 });
    const second = await store.release({ account: 'a4', reason: 'ok', source: 'api', by: 'ops', nowMs: NOW + 2000 });
    expect([first.changed, second.changed]).toEqual([true, false]);
    expect(await store.get('a4')).toMatchObject({ status: 'ACTIVE', source: 'api', by: 'ops', releasedAtMs: NOW + 1000, resetAtMs: null });
    expect((await store.listEvents('a4')).map((e) => e.type)).toEqual(['RELEASED', 'ENGAGED']);
  });

  it('when an event is recorded twice under its id, then it is stored once', async () => {
    const e = { id: 'e9:ORDERS_CANCELLED', account: 'a5', type: 'ORDERS_CANCELLED' as const, engagementId: 'e9', payload: { asked: 2 }, occurredAt: new Date(NOW) };
    await store.recordEvent(e);
    await store.recordEvent(e);
    expect(await store.listEvents('a5')).toEqual([expect.objectContaining({ id: 'e9:ORDERS_CANCELLED', payload: { asked: 2 } })]);
  });
});
