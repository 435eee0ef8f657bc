/** RFC 7009: token revocation. */
import { assertClient } from './device-authorization.ts';
import type { AuthorizationServer, Client } from './discovery.ts';
import { DeviceFlowError } from './errors.ts';
import {
  form,
  type HttpOptions,
  httpError,
  oauthErrorOf,
  oauthResponseError,
  readJsonObject,
  send,
  toUrl,
} from './http.ts';

/** Options of {@link revocationRequest}. */
export interface RevocationRequestOptions extends HttpOptions {
  /** RFC 7009 §2.1 `token_type_hint`. */
  readonly tokenTypeHint?: 'access_token' | 'refresh_token';
}

/**
 * Sends a revocation request (RFC 7009 §2.1) for one token, as a public client. Read the answer
 * with {@link processRevocationResponse}. A {@link DeviceSession} does this itself in
 * `dispose()`; call this only for tokens you hold some other way.
 *
 * @throws {DeviceFlowError} `unsupported_server` when the server has no revocation endpoint;
 * `invalid_argument`, `insecure_request`, `network_error`, `request_timeout`, `aborted`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc7009#section-2.1 | RFC 7009 §2.1}
 */
export function revocationRequest(
  server: AuthorizationServer,
  client: Client,
  token: string,
  options: RevocationRequestOptions = {},
): Promise<Response> {
  assertClient(client);
  if (!server.revocation_endpoint) {
    throw new DeviceFlowError('unsupported_server', 'the server has no revocation_endpoint');
  }
  if (typeof token !== 'string' || token === '') {
    throw new DeviceFlowError('invalid_argument', 'token must be a non-empty string');
  }
  const url = toUrl(server.revocation_endpoint, 'revocation_endpoint', options);
  const body = form({
    token,
    token_type_hint: options.tokenTypeHint,
    client_id: client.client_id,
  });
  return send(url, { method: 'POST', body }, options);
}

/**
 * Validates a revocation answer (RFC 7009 §2.2): HTTP 200 means revoked (or already invalid);
 * an OAuth error answer becomes an {@link OAuthResponseError}.
 *
 * @param secrets values to keep out of an error message should the server echo them back
 * (the token that was being revoked).
 * @throws {OAuthResponseError} the server refused (RFC 7009 §2.2.1).
 * @throws {DeviceFlowError} `http_error` for any other answer.
 * @see {@link https://www.rfc-editor.org/rfc/rfc7009#section-2.2 | RFC 7009 §2.2}
 */
export async function processRevocationResponse(
  response: Response,
  secrets: readonly string[] = [],
): Promise<void> {
  if (response.status === 200) return;
  const where = 'the revocation endpoint';
  const oauth = oauthErrorOf(await readJsonObject(response));
  if (oauth) throw oauthResponseError(response, oauth, where, secrets);
  throw httpError(response, where);
}
