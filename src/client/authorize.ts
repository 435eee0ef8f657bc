/** The one high-level call: discovery, device authorization, prompt, polling → a session. */
import {
  type DeviceAuthorization,
  deviceAuthorizationRequest,
  processDeviceAuthorizationResponse,
} from './device-authorization.ts';
import {
  type AuthorizationServer,
  authorizationServerFromEndpoints,
  type Client,
  type DiscoveryAlgorithm,
  discover,
  type Endpoints,
} from './discovery.ts';
import { DeviceFlowError } from './errors.ts';
import type { HttpOptions } from './http.ts';
import { type PollProgress, pollDeviceAuthorizationGrant } from './poll.ts';
import { normalizeScope, OFFLINE_ACCESS, type ScopeOptions, scopeTokens } from './scope.ts';
import type { DeviceSession } from './session.ts';

/** Something the caller should know, though nothing failed. */
export interface DeviceFlowWarning {
  /**
   * `offline_access_requested`: the scope asks for `offline_access` (the caller asked; the
   * library never adds it). `scope_widened`: the server granted scopes beyond the request.
   */
  readonly code: 'offline_access_requested' | 'scope_widened';
  readonly message: string;
}

/** Options of {@link authorize}. Give exactly one of `issuer`, `endpoints` or `server`. */
export interface AuthorizeOptions extends HttpOptions, ScopeOptions {
  /** The issuer: endpoints come from its RFC 8414 (or OpenID) metadata. */
  readonly issuer?: string | URL;
  /** Explicit endpoints, for a server without metadata. */
  readonly endpoints?: Endpoints;
  /** Metadata already discovered or built. */
  readonly server?: AuthorizationServer;
  /** Which metadata document to read; default RFC 8414, then OpenID Connect Discovery. */
  readonly discovery?: DiscoveryAlgorithm;
  /** The client's `client_id` (a public client, RFC 8628 §3.1). */
  readonly clientId: string;
  /**
   * Exactly the scopes this task needs, as a space-delimited string or a list. Nothing is
   * added; an empty scope is refused (`scope_required`) unless
   * `dangerouslyUseServerDefaultScope` is set.
   */
  readonly scope: string | readonly string[];
  /** Extra device authorization parameters such as `resource` (RFC 8707) or `audience`. */
  readonly additionalParameters?: Readonly<Record<string, string>>;
  /**
   * Shows the user where to go and which code to enter (RFC 8628 §3.3). This is the one place
   * the user code belongs. Polling starts once it returns (its promise resolves).
   */
  readonly onPrompt: (authorization: DeviceAuthorization) => void | Promise<void>;
  /** Called after every poll that lets polling go on (see {@link PollProgress}). */
  readonly onProgress?: (progress: PollProgress) => void;
  /**
   * Receives {@link DeviceFlowWarning}s. Default: `process.emitWarning` (printed once to
   * standard error by Node), or `console.warn` elsewhere.
   */
  readonly onWarning?: (warning: DeviceFlowWarning) => void;
}

/**
 * Signs in with the OAuth 2.0 Device Authorization Grant and returns an in-memory
 * {@link DeviceSession}:
 *
 * 1. finds the endpoints (RFC 8414 / OpenID metadata, or `endpoints`);
 * 2. asks for a device authorization with exactly `scope` (RFC 8628 §3.1), warning through
 *    `onWarning` when that includes `offline_access`;
 * 3. hands the verification URI and user code to `onPrompt` (RFC 8628 §3.3);
 * 4. polls as {@link pollDeviceAuthorizationGrant} describes until approval, denial, expiry or
 *    `signal`.
 *
 * It makes exactly one device authorization: after denial or expiry it fails, and a new
 * sign-in needs a new call — a new user action.
 *
 * ```ts
 * const session = await authorize({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-cli',
 *   scope: 'repo:read',
 *   onPrompt: ({ verificationUri, userCode }) =>
 *     console.error(`open ${verificationUri} and enter ${userCode}`),
 * });
 * try {
 *   await fetch(api, { headers: { authorization: `Bearer ${session.accessToken()}` } });
 * } finally {
 *   await session.dispose();
 * }
 * ```
 *
 * @throws {OAuthResponseError} `access_denied`, `expired_token`, `scope_required`,
 * `oauth_error`.
 * @throws {DeviceFlowError} `device_code_expired`, `aborted`, `discovery_failed`,
 * `unsupported_server`, `scope_required`, `invalid_argument`, `insecure_request`,
 * `invalid_response`, `http_error`, `network_error`, `request_timeout`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3 | RFC 8628 §3}
 */
export async function authorize(options: AuthorizeOptions): Promise<DeviceSession> {
  if (!options || typeof options !== 'object') {
    throw new DeviceFlowError('invalid_argument', 'authorize() needs an options object');
  }
  if (typeof options.onPrompt !== 'function') {
    throw new DeviceFlowError(
      'invalid_argument',
      'onPrompt is required: the user must be shown where to go and which code to enter',
    );
  }
  const http: HttpOptions = {
    ...(options.signal && { signal: options.signal }),
    ...(options.timeout !== undefined && { timeout: options.timeout }),
    ...(options.fetch && { fetch: options.fetch }),
    ...(options.dangerouslyAllowInsecureHttp !== undefined && {
      dangerouslyAllowInsecureHttp: options.dangerouslyAllowInsecureHttp,
    }),
  };
  const client: Client = { client_id: options.clientId };
  // Validate the scope before any request: a refused scope should not cost a round trip.
  const scope = normalizeScope(options.scope, options);
  const server = await resolveServer(options, http);
  const warn = options.onWarning ?? defaultWarning;

  if (scopeTokens(scope).includes(OFFLINE_ACCESS)) {
    warn({
      code: 'offline_access_requested',
      message:
        'the scope asks for offline_access: a refresh token that works without the user. This library never uses it to refresh; dispose() revokes it.',
    });
  }

  const response = await deviceAuthorizationRequest(server, client, {
    ...http,
    scope,
    ...(options.dangerouslyUseServerDefaultScope !== undefined && {
      dangerouslyUseServerDefaultScope: options.dangerouslyUseServerDefaultScope,
    }),
    ...(options.additionalParameters && { additionalParameters: options.additionalParameters }),
  });
  const authorization = await processDeviceAuthorizationResponse(server, client, response);
  await options.onPrompt(authorization);

  const session = await pollDeviceAuthorizationGrant(server, client, authorization, {
    ...http,
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  const asked = new Set(scopeTokens(scope));
  const beyond = scopeTokens(session.scope).filter((token) => !asked.has(token));
  if (beyond.length > 0) {
    warn({
      code: 'scope_widened',
      message: `the server granted more than was asked for: ${beyond.join(' ')}`,
    });
  }
  return session;
}

async function resolveServer(
  options: AuthorizeOptions,
  http: HttpOptions,
): Promise<AuthorizationServer> {
  const given = [options.issuer, options.endpoints, options.server].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw new DeviceFlowError(
      'invalid_argument',
      'give exactly one of issuer, endpoints or server',
    );
  }
  if (options.server) return options.server;
  if (options.endpoints) return authorizationServerFromEndpoints(options.endpoints, http);
  return discover(options.issuer as string | URL, {
    ...http,
    ...(options.discovery && { algorithm: options.discovery }),
  });
}

function defaultWarning(warning: DeviceFlowWarning): void {
  const emit = (globalThis as { process?: { emitWarning?: (m: string, o: object) => void } })
    .process?.emitWarning;
  if (typeof emit === 'function') {
    emit.call(globalThis.process, warning.message, {
      type: 'DeviceFlowWarning',
      code: `DEVICEBOUND_${warning.code.toUpperCase()}`,
    });
  } else {
    console.warn(`DeviceFlowWarning: ${warning.message}`);
  }
}
