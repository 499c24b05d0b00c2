import type { Db } from '../../src/store/prisma';
import { BrokerSessionStore } from '../../src/store/broker-session-store';
import { useTestPrisma } from '../support/prisma';

/** The account's Kite token at rest: encrypted, with its expiry, readable only under the same API secret. */
let prisma: Db;
let store: BrokerSessionStore;
useTestPrisma((p) => { prisma = p; store = new BrokerSessionStore(p, 'api-secret-1'); });

describe('BrokerSessionStore', () => {
  it('when a token is saved with its expiry, then it reads back, the row holds it only encrypted, and the info never carries it', async () => {
    const expiresAt = new Date('2026-12-04T00:30:00.000Z');
    const saved = await store.saveAccessToken('acct-a', 'token-of-the-day-123', expiresAt);
    expect(saved.expiresAt).toEqual(expiresAt);
    expect(await store.loadAccessToken('acct-a')).toBe('token-of-the-day-123');
    const row = await prisma.brokerSession.findUniqueOrThrow({ where: { account: 'acct-a' } });
    expect(row.accessTokenEnc).not.toContain('token-of-the-day-123');
    expect(row.expiresAt).toEqual(expiresAt);
    const info = await store.loadSessionInfo('acct-a');
    expect(info).toEqual({ updatedAt: saved.updatedAt, expiresAt });
    expect(JSON.stringify(info)).not.toContain('token-of-the-day');
  });

  it('when the next day\'s token replaces it, then the new token and expiry are read and since moves on', async () => {
    const first = await store.saveAccessToken('acct-b', 'day-1-token', new Date('2026-12-04T00:30:00.000Z'));
    const second = await store.saveAccessToken('acct-b', 'day-2-token', new Date('2026-12-05T00:30:00.000Z'));
    expect(await store.loadAccessToken('acct-b')).toBe('day-2-token');
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
    expect((await store.loadSessionInfo('acct-b'))?.expiresAt).toEqual(new Date('2026-12-05T00:30:00.000Z'));
  });

  it('when nothing is stored or the API secret changed, then there is no token to read', async () => {
    expect(await store.loadAccessToken('nobody')).toBeNull();
    expect(await store.loadSessionInfo('nobody')).toBeNull();
    await store.saveAccessToken('acct-c', 'token-c', null);
    expect(await new BrokerSessionStore(prisma, 'another-secret').loadAccessToken('acct-c')).toBeNull();
    expect((await store.loadSessionInfo('acct-c'))?.expiresAt).toBeNull();
  });
});
