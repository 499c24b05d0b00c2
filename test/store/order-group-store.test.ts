import { initialGroupState, withEpisode } from '../../src/domain/order-group-state';
import { OrderGroupStore } from '../../src/store/order-group-store';
import { useTestPrisma } from '../support/prisma';
import { ocoRequest } from '../workflows/group-stubs';

let groups: OrderGroupStore;
useTestPrisma((p) => { groups = new OrderGroupStore(p); }, 2);

const started = (cid: string) => initialGroupState({ groupId: `group-${cid}`, request: ocoRequest(cid), payloadHash: `hash-${cid}`, at: '2026-11-24T04:00:00.000Z' });

describe('the order group store', () => {
  it('when a group is saved twice as it changes, then one row holds its latest legs, status, open quantity and every episode', async () => {
    const first = started('store-1');
    await groups.saveGroup(first);
    const later = {
      ...withEpisode(withEpisode(first, 'OCO_TRIGGERED', { by: 'target' }, '2026-11-24T04:00:05.000Z'), 'GROUP_FINISHED', { status: 'COMPLETED' }, '2026-11-24T04:00:06.000Z'),
      status: 'COMPLETED' as const, position: { base: 90, exitsFilled: 90, flattenNet: 0, open: 0 },
      legs: [{ role: 'target', orderId: 'order-store-1-target', side: 'SELL' as const, orderType: 'LIMIT' as const, status: 'FILLED' as const, quantity: 90, filledQuantity: 90, averagePrice: '120.0000', brokerOrderId: 'B-1' }],
    };
    await groups.saveGroup(later);
    await groups.saveGroup(later); // a retried activity writes the same row again

    const row = await groups.getGroup('group-store-1');
    expect(row).toMatchObject({
      id: 'group-store-1', clientOrderId: 'store-1', kind: 'oco', strategyId: 'strat-1', side: 'BUY', quantity: 90, status: 'COMPLETED', openQuantity: 0,
      payloadHash: 'hash-store-1', statusMessage: null, request: JSON.parse(JSON.stringify(first.request)), legs: later.legs,
      createdAt: new Date('2026-11-24T04:00:00.000Z'), updatedAt: new Date('2026-11-24T04:00:06.000Z'),
    });
    expect((row?.episodes as { type: string }[]).map((e) => e.type)).toEqual(['GROUP_STARTED', 'OCO_TRIGGERED', 'GROUP_FINISHED']);
    expect(await groups.findGroupByClientOrderId('store-1')).toEqual({ id: 'group-store-1', status: 'COMPLETED', payloadHash: 'hash-store-1' });
    expect(await groups.findStrategyOfGroup('group-store-1')).toBe('strat-1');
    expect(await groups.findStrategyOfGroup('group-nope')).toBeNull();
  });

  it('when a second group reuses a client order id under another id, then it is rejected as a duplicate', async () => {
    await groups.saveGroup(started('store-2'));
    await expect(groups.saveGroup({ ...started('store-2'), groupId: 'group-other' })).rejects.toMatchObject({ code: 'P2002' });
  });
});
