/**
 * RFC 8628 §3.4–3.5: one device access token request and what its answer means for polling.
 * {@link pollDeviceAuthorizationGrant} runs the loop; these are the steps it is made of.
 */
import {
  assertClient,
  type DeviceAuthorization,
  pollingSecretsOf,
  positiveNumber,
} from './device-authorization.ts';
import { type AuthorizationServer, type Client, DEVICE_CODE_GRANT_TYPE } from './discovery.ts';
import { DeviceFlowError } from './errors.ts';
import {
  form,
  type HttpOptions,
  httpError,
  now,
  oauthErrorOf,
  oauthResponseError,
  readJsonObject,
  retryAfterMs,
  send,
  timingOf,
  toUrl,
} from './http.ts';
import { scopeTokens } from './scope.ts';
import { DeviceSession } from './session.ts';

/**
 * Sends one device access token request (RFC 8628 §3.4). It does not wait: the caller must
 * honour the interval ({@link pollDeviceAuthorizationGrant} does). Read the answer with
 * {@link processDeviceCodeResponse}.
 *
 * @throws {DeviceFlowError} `network_error`, `request_timeout` (transient: back off and
 * retry), `aborted`, `insecure_request`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.4 | RFC 8628 §3.4}
 */
export function deviceCodeGrantRequest(
  server: AuthorizationServer,
  client: Client,
  authorization: DeviceAuthorization,
  options: HttpOptions = {},
): Promise<Response> {
  assertClient(client);
  const url = toUrl(server.token_endpoint, 'token_endpoint', options);
  const body = form({
    grant_type: DEVICE_CODE_GRANT_TYPE,
    device_code: pollingSecretsOf(authorization).deviceCode,
    client_id: client.client_id,
  });
  return send(url, { method: 'POST', body }, options);
}

/**
 * What one poll's answer means (RFC 8628 §3.5):
 * - `success`: the user approved; here is the session;
 * - `authorization_pending`: poll again after the interval;
 * - `slow_down`: add 5 s to the interval, for this and every later poll (`interval` is the
 *   server's new value, when the answer carries one);
 * - `server_error`: an HTTP 5xx, with or without an OAuth error body: back off and retry.
 *
 * `retryAfter` is the answer's `Retry-After` in seconds, when it has one. Every other answer
 * ends polling and is thrown instead.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.5 | RFC 8628 §3.5}
 */
export type DeviceCodeResult =
  | { readonly type: 'success'; readonly session: DeviceSession }
  | { readonly type: 'authorization_pending'; readonly retryAfter?: number }
  | { readonly type: 'slow_down'; readonly interval?: number; readonly retryAfter?: number }
  | { readonly type: 'server_error'; readonly status: number; readonly retryAfter?: number };

/**
 * Validates a device access token answer (RFC 8628 §3.5, RFC 6749 §5.1–5.2). A successful
 * answer must be HTTP 200 with a non-empty `access_token`, a `token_type` of `Bearer`, and, when
 * present, a non-negative `expires_in`, a well-formed `scope` and string `refresh_token` and
 * `id_token`; it becomes a {@link DeviceSession}. `authorization_pending`, `slow_down` and 5xx
 * answers are returned for the poller to act on; every other answer is thrown: polling is over.
 *
 * @param http request options the session keeps for revocation in `dispose()`.
 * @throws {OAuthResponseError} `access_denied`, `expired_token`, or `oauth_error` for any other
 * OAuth error answer (`invalid_grant`, `invalid_client`, …).
 * @throws {DeviceFlowError} `invalid_response` or `http_error`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.5 | RFC 8628 §3.5}
 * @see {@link https://www.rfc-editor.org/rfc/rfc6749#section-5.1 | RFC 6749 §5.1}
 */
export async function processDeviceCodeResponse(
  server: AuthorizationServer,
  client: Client,
  authorization: DeviceAuthorization,
  response: Response,
  http: HttpOptions = {},
): Promise<DeviceCodeResult> {
  assertClient(client);
  const where = 'the token endpoint';
  const body = await readJsonObject(response);
  const retryAfter = retryAfterMs(response.headers);
  const wait = retryAfter === undefined ? {} : { retryAfter: retryAfter / 1000 };
  const oauth = oauthErrorOf(body);

  if (response.status >= 500) return { type: 'server_error', status: response.status, ...wait };
  if (oauth?.error === 'authorization_pending') return { type: 'authorization_pending', ...wait };
  if (oauth?.error === 'slow_down') {
    // Some servers (GitHub) say the new interval in the answer; RFC 8628 only says "+5 s".
    let interval: number | undefined;
    try {
      interval = body ? positiveNumber(body, 'interval', where) : undefined;
    } catch {
      interval = undefined;
    }
    return { type: 'slow_down', ...(interval !== undefined && { interval }), ...wait };
  }
  const secrets = [pollingSecretsOf(authorization).deviceCode, authorization.userCode];
  if (oauth) throw oauthResponseError(response, oauth, where, secrets);
  if (response.status !== 200) throw httpError(response, where);
  if (!body) throw invalid(`${where} answered HTTP 200 without a JSON object`);

  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw invalid(`${where}: "access_token" is missing (RFC 6749 §5.1)`);
  }
  if (typeof body.token_type !== 'string' || body.token_type.toLowerCase() !== 'bearer') {
    throw invalid(
      `${where}: "token_type" must be Bearer (RFC 6750); got ${typeof body.token_type === 'string' ? JSON.stringify(body.token_type.slice(0, 20)) : 'none'}`,
    );
  }
  const expiresIn = nonNegativeSeconds(body.expires_in, where);
  const refreshToken = optionalString(body, 'refresh_token', where);
  const idToken = optionalString(body, 'id_token', where);
  const grantedScope = body.scope ?? undefined;
  if (
    grantedScope !== undefined &&
    (typeof grantedScope !== 'string' || !/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(grantedScope))
  ) {
    throw invalid(`${where}: "scope" is not a valid scope (RFC 6749 §3.3)`);
  }
  const timing = timingOf(response);
  const receivedAt = now();
  const scope =
    grantedScope === undefined ? authorization.scope : scopeTokens(grantedScope).join(' ');
  const session = new DeviceSession(
    server,
    client,
    {
      accessToken,
      refreshToken,
      idToken,
      scope,
      requestedScope: authorization.scope,
      expiresIn,
      sentAt: timing?.sentAt ?? receivedAt,
      sentAtEpoch: timing?.sentAtEpoch ?? Date.now(),
    },
    http,
  );
  return { type: 'success', session };
}

function invalid(message: string): DeviceFlowError {
  return new DeviceFlowError('invalid_response', message);
}

function optionalString(
  body: Record<string, unknown>,
  name: string,
  where: string,
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw invalid(`${where}: "${name}" must be a non-empty string (RFC 6749 §5.1)`);
  }
  return value;
}

function nonNegativeSeconds(raw: unknown, where: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`${where}: "expires_in" must be a number of seconds (RFC 6749 §5.1)`);
  }
  return value;
}
