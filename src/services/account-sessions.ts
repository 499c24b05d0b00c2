import { notFound } from './app-errors';
import type { BrokerSessionService, SessionView } from './broker-session-service';

/** The daily sessions of every configured broker account, by account id (an unknown one is 404). */
export class AccountSessions {
  constructor(private readonly byAccount: ReadonlyMap<string, BrokerSessionService>) {}

  private of(accountId: string): BrokerSessionService {
    const s = this.byAccount.get(accountId);
    if (!s) throw notFound(`account ${accountId}`);
    return s;
  }

  ids(): string[] {
    return [...this.byAccount.keys()];
  }

  loginUrl(accountId: string): string {
    return this.of(accountId).loginUrl(accountId);
  }

  completeLogin(accountId: string, requestToken: string): Promise<SessionView> {
    return this.of(accountId).completeLogin(accountId, requestToken);
  }

  supplyToken(accountId: string, token: string): Promise<{ updatedAt: Date; expiresAt: Date | null }> {
    return this.of(accountId).supplyToken(accountId, token);
  }

  status(accountId: string): Promise<SessionView> {
    return this.of(accountId).status(accountId);
  }
}
