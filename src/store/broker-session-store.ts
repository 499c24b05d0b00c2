import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from './prisma';

/**
 * Where an operator's fresh Kite access token waits for the workers. Encrypted at rest (AES-256-GCM, key derived from
 * the API secret every process already has); never logged, never put into a workflow history.
 */
export class BrokerSessionStore {
  private readonly key: Buffer;

  constructor(private readonly db: Db, apiSecret: string) {
    this.key = createHash('sha256').update(`oms-broker-session:${apiSecret}`).digest();
  }

  async saveAccessToken(account: string, accessToken: string): Promise<{ updatedAt: Date }> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const enc = Buffer.concat([cipher.update(accessToken, 'utf8'), cipher.final()]);
    const accessTokenEnc = [iv, cipher.getAuthTag(), enc].map((b) => b.toString('base64')).join('.');
    const row = await this.db.brokerSession.upsert({
      where: { account }, create: { account, accessTokenEnc }, update: { accessTokenEnc, updatedAt: new Date() },
    });
    return { updatedAt: row.updatedAt };
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
