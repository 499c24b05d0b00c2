import { KiteConnect } from 'kiteconnect';
import { classifyBrokerError } from './broker-errors';

export interface KiteLoginOptions {
  apiKey: string;
  /** Signs the request-token exchange (checksum = sha256(api_key + request_token + api_secret)); never sent. */
  apiSecret: string;
  /** Kite's API root (the paper broker's address in paper mode): where POST /session/token goes. */
  root: string;
  /** Kite's login page (https://kite.zerodha.com/connect/login); the paper broker's /connect/login in paper mode. */
  loginUri: string;
  timeoutMs: number;
}

/** A fresh session from Kite: the token (for the store only) and who logged in. */
export interface KiteSession { accessToken: string; userId: string | null }

/** Kite Connect's login flow through the official client: the login page's URL, and a request token exchanged. */
export class KiteLogin {
  constructor(private readonly opts: KiteLoginOptions) {}

  private client(): InstanceType<typeof KiteConnect> {
    const kite = new KiteConnect({ api_key: this.opts.apiKey, root: this.opts.root, timeout: this.opts.timeoutMs });
    // kiteconnect 5.3.0 declares a `login_uri` option but never reads it: getLoginURL() uses this field.
    (kite as unknown as { default_login_uri: string }).default_login_uri = this.opts.loginUri;
    return kite;
  }

  /** Where the operator's browser logs in: the login page with the api_key (public) and nothing secret. */
  loginUrl(): string {
    return this.client().getLoginURL();
  }

  /**
   * Exchanges the request token Kite's redirect carried for an access token (generateSession, POST /session/token).
   * A forged or reused request token fails at the broker (its checksum needs the API secret). Errors are
   * BrokerErrors whose messages never carry the request token or the secret.
   */
  async exchange(requestToken: string): Promise<KiteSession> {
    try {
      const session = (await this.client().generateSession(requestToken, this.opts.apiSecret)) as unknown as { access_token?: unknown; user_id?: unknown };
      if (typeof session?.access_token !== 'string' || !session.access_token) throw { error_type: 'DataException', message: 'the broker answered the session request without an access token' };
      return { accessToken: session.access_token, userId: typeof session.user_id === 'string' ? session.user_id : null };
    } catch (err) {
      throw classifyBrokerError(err, [requestToken, this.opts.apiSecret]);
    }
  }
}
