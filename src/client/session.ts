/**
 * The signed-in session: tokens in memory only, an access token that fails clearly once it has
 * expired, and `dispose()` that revokes and forgets.
 */
import type { AuthorizationServer, Client } from './discovery.ts';
import { DeviceFlowError } from './errors.ts';
import { type HttpOptions, now } from './http.ts';
import { processRevocationResponse, revocationRequest } from './revocation.ts';

/** The tokens of a session, as validated from the token response (RFC 6749 §5.1). */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly idToken: string | undefined;
  /** Granted scope: the token response's `scope`, or the requested one when it has none. */
  readonly scope: string;
  readonly requestedScope: string;
  /** `expires_in`, seconds; `undefined` when the server sent none. */
  readonly expiresIn: number | undefined;
  /** `performance.now()` and wall clock when the token request was sent. */
  readonly sentAt: number;
  readonly sentAtEpoch: number;
}

/** Options of {@link DeviceSession.accessToken}. */
export interface AccessTokenOptions {
  /**
   * Fail unless the token stays valid at least this many seconds more: for a request that
   * must not be cut off half-way. Default 0.
   */
  readonly minValidity?: number;
}

/**
 * A signed-in session from the device flow. It holds its tokens in memory only and offers no
 * way to save, export or refresh them: when the access token expires, `accessToken()` fails
 * with `session_expired` and the user signs in again (no silent refresh, RFC 9700 §2.2.2).
 * `dispose()` revokes the tokens (RFC 7009) when the server has a revocation endpoint, and
 * forgets them in any case; `await using` does the same.
 *
 * `JSON.stringify`, `String()` and `util.inspect` show no token.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.5 | RFC 8628 §3.5}
 * @see {@link https://www.rfc-editor.org/rfc/rfc7009#section-2 | RFC 7009 §2}
 * @see {@link https://www.rfc-editor.org/rfc/rfc9700#section-2.2.2 | RFC 9700 §2.2.2}
 */
export class DeviceSession {
  /** The issuer the tokens come from. */
  readonly issuer: string;
  /** The client the tokens were issued to. */
  readonly clientId: string;
  /** The granted scope (RFC 6749 §5.1: the requested scope when the answer names none). */
  readonly scope: string;
  /** The scope that was asked for. */
  readonly requestedScope: string;
  /** Always `Bearer`: the only token type this client accepts (RFC 6750). */
  readonly tokenType = 'Bearer' as const;
  /**
   * When the access token expires: `expires_in` counted from when the token request was sent,
   * or the JWT `exp` when the server sent no `expires_in`; `undefined` when neither is known.
   */
  readonly expiresAt: Date | undefined;
  /** True when the server issued a refresh token. It is never used; `dispose()` revokes it. */
  readonly refreshTokenIssued: boolean;
  /** True when the server issued an ID token. */
  readonly idTokenIssued: boolean;

  #tokens: { access: string; refresh: string | undefined } | undefined;
  /** `performance.now()` of expiry, or `undefined` when unknown. */
  readonly #expiresAtClock: number | undefined;
  readonly #server: AuthorizationServer;
  readonly #client: Client;
  readonly #http: HttpOptions;
  #disposal: Promise<void> | undefined;

  /** @internal Made by {@link processDeviceCodeResponse}. */
  constructor(
    server: AuthorizationServer,
    client: Client,
    tokens: SessionTokens,
    http: HttpOptions = {},
  ) {
    this.#server = server;
    this.#client = client;
    // An abort of the sign-in must not also cancel a later dispose(): keep all but the signal.
    const { signal: _signInSignal, ...rest } = http;
    this.#http = rest;
    this.#tokens = { access: tokens.accessToken, refresh: tokens.refreshToken };
    this.issuer = server.issuer;
    this.clientId = client.client_id;
    this.scope = tokens.scope;
    this.requestedScope = tokens.requestedScope;
    this.refreshTokenIssued = tokens.refreshToken !== undefined;
    this.idTokenIssued = tokens.idToken !== undefined;

    let lifetimeMs: number | undefined;
    if (tokens.expiresIn !== undefined) lifetimeMs = tokens.expiresIn * 1000;
    else {
      const exp = jwtExpiry(tokens.accessToken);
      if (exp !== undefined) lifetimeMs = exp * 1000 - tokens.sentAtEpoch;
    }
    this.#expiresAtClock = lifetimeMs === undefined ? undefined : tokens.sentAt + lifetimeMs;
    this.expiresAt =
      lifetimeMs === undefined ? undefined : new Date(tokens.sentAtEpoch + lifetimeMs);
  }

  /** True once the access token's lifetime is over. */
  get expired(): boolean {
    return this.#expiresAtClock !== undefined && now() >= this.#expiresAtClock;
  }

  /** True once `dispose()` was called. */
  get disposed(): boolean {
    return this.#tokens === undefined;
  }

  /**
   * The access token, for an `Authorization: Bearer` header (RFC 6750 §2.1). Send it only to
   * the resource it is meant for.
   *
   * @throws {DeviceFlowError} `session_expired` once it has expired (or would within
   * `minValidity` seconds): sign in again; `session_disposed` after `dispose()`.
   * @see {@link https://www.rfc-editor.org/rfc/rfc6750#section-2.1 | RFC 6750 §2.1}
   */
  accessToken(options: AccessTokenOptions = {}): string {
    const tokens = this.#tokens;
    if (!tokens) {
      throw new DeviceFlowError('session_disposed', 'the session was disposed: sign in again');
    }
    const minValidity = options.minValidity ?? 0;
    if (typeof minValidity !== 'number' || !Number.isFinite(minValidity) || minValidity < 0) {
      throw new DeviceFlowError('invalid_argument', 'minValidity must be a number of seconds');
    }
    if (this.#expiresAtClock !== undefined && now() + minValidity * 1000 >= this.#expiresAtClock) {
      throw new DeviceFlowError(
        'session_expired',
        `the access token expired at ${this.expiresAt?.toISOString()}${minValidity > 0 ? ` (or would within ${minValidity} s)` : ''}: sign in again`,
      );
    }
    return tokens.access;
  }

  /**
   * Forgets the tokens at once, then revokes the refresh token and the (unexpired) access token
   * at the server's RFC 7009 revocation endpoint, if it has one. Calling it again does nothing
   * more and returns the same promise.
   *
   * @throws {DeviceFlowError} `revocation_failed` when a revocation request failed; the tokens
   * are forgotten anyway, and stay valid at the server until they expire.
   * @see {@link https://www.rfc-editor.org/rfc/rfc7009#section-2.1 | RFC 7009 §2.1}
   */
  dispose(options: HttpOptions = {}): Promise<void> {
    this.#disposal ??= this.#revoke(options);
    return this.#disposal;
  }

  /** `await using session = await authorize(…)`: the same as {@link DeviceSession.dispose}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  async #revoke(options: HttpOptions): Promise<void> {
    const tokens = this.#tokens;
    const expired = this.expired;
    this.#tokens = undefined;
    if (!tokens || !this.#server.revocation_endpoint) return;
    const http = { ...this.#http, ...options };
    const toRevoke: [string, 'refresh_token' | 'access_token'][] = [];
    if (tokens.refresh) toRevoke.push([tokens.refresh, 'refresh_token']);
    if (!expired) toRevoke.push([tokens.access, 'access_token']);
    const failures: DeviceFlowError[] = [];
    for (const [token, hint] of toRevoke) {
      try {
        const response = await revocationRequest(this.#server, this.#client, token, {
          ...http,
          tokenTypeHint: hint,
        });
        await processRevocationResponse(response, [tokens.access, tokens.refresh ?? '']);
      } catch (error) {
        failures.push(
          error instanceof DeviceFlowError
            ? error
            : new DeviceFlowError('network_error', 'revocation failed', { cause: error }),
        );
        if (error instanceof DeviceFlowError && error.code === 'aborted') break;
      }
    }
    const first = failures[0];
    if (first) {
      throw new DeviceFlowError(
        'revocation_failed',
        `the tokens were forgotten but could not be revoked: ${first.message}`,
        { cause: first },
      );
    }
  }

  /** A summary without any token. */
  toJSON(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      clientId: this.clientId,
      scope: this.scope,
      tokenType: this.tokenType,
      expiresAt: this.expiresAt?.toISOString(),
      refreshTokenIssued: this.refreshTokenIssued,
      idTokenIssued: this.idTokenIssued,
      disposed: this.disposed,
    };
  }

  toString(): string {
    return `DeviceSession ${JSON.stringify(this.toJSON())}`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The `exp` claim of a JWT, read without verifying it (only ever used to stop sooner). */
function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = new TextDecoder().decode(base64UrlDecode(parts[1]));
    const claims: unknown = JSON.parse(json);
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

function base64UrlDecode(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
