import { BrokerError } from '../broker/broker-errors';
import type { KiteSession } from '../broker/kite-login';
import { sessionExpiresAt, sessionState, type SessionState } from '../domain/broker-session';
import { AppError, notFound, retryLater } from './app-errors';

export interface BrokerSessionDeps {
  /** The one account this OMS trades (config/risk.json `account`); any other id is not found. */
  account: string;
  login: { loginUrl(): string; exchange(requestToken: string): Promise<KiteSession> };
  store: {
    saveAccessToken(account: string, token: string, expiresAt: Date | null): Promise<{ updatedAt: Date; expiresAt: Date | null }>;
    loadSessionInfo(account: string): Promise<{ updatedAt: Date; expiresAt: Date | null } | null>;
  };
  /** Whether the broker refused the token in use with nothing newer stored (KiteGateway.sessionExpired). */
  gateway: { sessionExpired(): Promise<boolean> };
  /** How many orders wait for an operator because the session expired (TOKEN_EXPIRED). */
  pausedOrders: () => Promise<number>;
  log: (line: string) => void;
  now?: () => number;
}

/** What an operator is told about the account's session: never the token or a request token. */
export interface SessionView {
  account: string;
  state: SessionState;
  live: boolean;
  /** When the stored token was supplied (ISO), or null: none stored. */
  since: string | null;
  /** When Kite ends it: the next 06:00 IST after `since` (ISO), or null: not known. */
  expiresAt: string | null;
  /** Orders paused TOKEN_EXPIRED: each waits for an operator's resume or abandon (GET /api/v1/interventions). */
  ordersWaitingForOperator: number;
}

/** The daily Kite session of the account: the login redirect, the request-token exchange, and its state. */
export class BrokerSessionService {
  constructor(private readonly d: BrokerSessionDeps) {}

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  private check(accountId: string): string {
    if (accountId !== this.d.account) throw notFound(`account ${accountId}`);
    return accountId;
  }

  /** The broker's login page for the account (the api_key is public; nothing secret is in it). */
  loginUrl(accountId: string): string {
    this.check(accountId);
    return this.d.login.loginUrl();
  }

  /** Exchanges the request token of Kite's redirect for the day's access token and stores it for every process. */
  async completeLogin(accountId: string, requestToken: string): Promise<SessionView> {
    const account = this.check(accountId);
    let session: KiteSession;
    try {
      session = await this.d.login.exchange(requestToken);
    } catch (err) {
      const e = err instanceof BrokerError ? err : null;
      this.d.log(`broker login for account ${account} failed: ${e ? `${e.errorType}: ${e.message}` : 'unexpected error'}`);
      if (e && e.kind !== 'unknown') {
        throw new AppError(400, 'LOGIN_REFUSED', `the broker refused the request token (${e.errorType}: forged, already used or expired); open /api/v1/accounts/${account}/login again`);
      }
      throw retryLater(503, 'BROKER_UNAVAILABLE', `the broker did not answer the session request; open /api/v1/accounts/${account}/login again shortly`, 5);
    }
    const issuedAt = this.now();
    await this.d.store.saveAccessToken(account, session.accessToken, new Date(sessionExpiresAt(issuedAt)));
    const view = await this.status(account);
    this.d.log(`broker login for account ${account}${session.userId ? ` (user ${session.userId})` : ''}: session live until ${view.expiresAt}`);
    return view;
  }

  /** Stores a token an operator pasted (POST /api/v1/broker/session); it expires as a login's would. */
  async supplyToken(accountId: string, token: string): Promise<{ updatedAt: Date; expiresAt: Date | null }> {
    return this.d.store.saveAccessToken(this.check(accountId), token, new Date(sessionExpiresAt(this.now())));
  }

  /** Whether the account's session is live, since when, until when. */
  async status(accountId: string): Promise<SessionView> {
    const account = this.check(accountId);
    const [info, refused, paused] = await Promise.all([this.d.store.loadSessionInfo(account), this.d.gateway.sessionExpired(), this.d.pausedOrders()]);
    const record = info ? { since: info.updatedAt.getTime(), expiresAt: info.expiresAt?.getTime() ?? null } : null;
    const state = sessionState(record, this.now(), refused);
    return {
      account, state, live: state === 'LIVE', since: info?.updatedAt.toISOString() ?? null, expiresAt: info?.expiresAt?.toISOString() ?? null,
      ordersWaitingForOperator: paused,
    };
  }
}
