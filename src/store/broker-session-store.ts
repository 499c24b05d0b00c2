import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from './prisma';

/**
 * Where the account's fresh Kite access token (daily login or pasted by an operator) waits for the workers. Encrypted at rest (AES-256-GCM, key derived from
 * the API secret every process already has); never logged, never put into a workflow history.
 */
export class BrokerSessionStore {
  private readonly key: Buffer;

  constructor(private readonly db: Db, apiSecret: string) {
    this.key = createHash('sha256').update(`oms-broker-session:${apiSecret}`).digest();
  }

  /** Stores the account's token (replacing any other) with when it expires, if known. */
  async saveAccessToken(account: string, accessToken: string, expiresAt: Date | null = null): Promise<{ updatedAt: Date; expiresAt: Date | null }> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const enc = Buffer.concat([cipher.update(accessToken, 'utf8'), cipher.final()]);
    const accessTokenEnc = [iv, cipher.getAuthTag(), enc].map((b) => b.toString('base64')).join('.');
    const row = await this.db.brokerSession.upsert({
      where: { account }, create: { account, accessTokenEnc, expiresAt }, update: { accessTokenEnc, expiresAt, updatedAt: new Date() },
    });
    return { updatedAt: row.updatedAt, expiresAt: row.expiresAt };
  }

  /** When the stored token was supplied and when it expires; never the token. Null when none is stored. */
  async loadSessionInfo(account: string): Promise<{ updatedAt: Date; expiresAt: Date | null } | null> {
    const row = await this.db.brokerSession.findUnique({ where: { account }, select: { updatedAt: true, expiresAt: true } });
    return row ? { updatedAt: row.updatedAt, expiresAt: row.expiresAt } : null;
  }

  /** The latest supplied token, or null (none supplied, or encrypted under another secret). */
  async loadAccessToken(account: string): Promise<string | null> {
    const row = await this.db.brokerSession.findUnique({ where: { account } });
    if (!row) return null;
    try {
      const [iv, tag, enc] = row.accessTokenEnc.split('.').map((p) => Buffer.from(p, 'base64'));
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(enc), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
