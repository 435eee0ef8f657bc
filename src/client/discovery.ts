/**
 * Finding the authorization server: RFC 8414 metadata, OpenID Connect Discovery 1.0, or
 * endpoints given explicitly.
 */
import { DeviceFlowError } from './errors.ts';
import { describeUrl, type HttpOptions, httpError, readJsonObject, send, toUrl } from './http.ts';

/**
 * The grant type of the device access token request.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.4 | RFC 8628 §3.4}
 */
export const DEVICE_CODE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * What the client knows about an authorization server, validated. Field names are those of
 * RFC 8414 §2 metadata, so a metadata document can be read as one.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8414#section-2 | RFC 8414 §2}
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-4 | RFC 8628 §4}
 */
export interface AuthorizationServer {
  /** The issuer identifier (RFC 8414 §2). */
  readonly issuer: string;
  /** RFC 8628 §3.1 device authorization endpoint. */
  readonly device_authorization_endpoint: string;
  /** RFC 6749 §3.2 token endpoint. */
  readonly token_endpoint: string;
  /** RFC 7009 revocation endpoint; without it `dispose()` can only forget the tokens. */
  readonly revocation_endpoint?: string;
  readonly scopes_supported?: readonly string[];
  readonly grant_types_supported?: readonly string[];
  readonly token_endpoint_auth_methods_supported?: readonly string[];
  readonly revocation_endpoint_auth_methods_supported?: readonly string[];
}

/**
 * The client: a public client identified by `client_id` in the request body, as RFC 8628 §3.1
 * describes for devices that cannot keep a secret.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.1 | RFC 8628 §3.1}
 */
export interface Client {
  readonly client_id: string;
}

/** Which well-known document {@link discoveryRequest} asks for. */
export type DiscoveryAlgorithm = 'oauth2' | 'oidc';

/** Options of {@link discoveryRequest} and {@link discover}. */
export interface DiscoveryOptions extends HttpOptions {
  /**
   * `oauth2`: RFC 8414 `/.well-known/oauth-authorization-server`, inserted before the issuer's
   * path. `oidc`: OpenID Connect Discovery `/.well-known/openid-configuration`, appended to it.
   * {@link discover} tries `oauth2` first and falls back to `oidc` on a 4xx answer.
   */
  readonly algorithm?: DiscoveryAlgorithm;
}

/**
 * The well-known metadata URL of an issuer.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8414#section-3.1 | RFC 8414 §3.1}
 * @see {@link https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig | OpenID Connect Discovery 1.0 §4}
 */
export function metadataUrl(issuer: string | URL, algorithm: DiscoveryAlgorithm = 'oauth2'): URL {
  const url = issuerUrl(issuer);
  const path = url.pathname.replace(/\/+$/, '');
  return algorithm === 'oauth2'
    ? new URL(`${url.origin}/.well-known/oauth-authorization-server${path}`)
    : new URL(`${url.origin}${path}/.well-known/openid-configuration`);
}

/**
 * Sends the metadata request (RFC 8414 §3.1). Read the answer with
 * {@link processDiscoveryResponse}.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8414#section-3.1 | RFC 8414 §3.1}
 */
export function discoveryRequest(
  issuer: string | URL,
  options: DiscoveryOptions = {},
): Promise<Response> {
  const url = metadataUrl(issuer, options.algorithm);
  toUrl(url, 'issuer', options);
  return send(url, { method: 'GET' }, options);
}

/**
 * Validates a metadata answer (RFC 8414 §3.2, §3.3): HTTP 200, a JSON object, `issuer`
 * identical to the expected one, a device authorization endpoint and a token endpoint that
 * are absolute http(s) URLs, and the types of every other field this client reads.
 *
 * @throws {DeviceFlowError} `discovery_failed`, or `unsupported_server` when the server has no
 * device authorization endpoint.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8414#section-3.3 | RFC 8414 §3.3}
 */
export async function processDiscoveryResponse(
  expectedIssuer: string | URL,
  response: Response,
): Promise<AuthorizationServer> {
  const expected = issuerUrl(expectedIssuer);
  const where = `the metadata of ${expected.origin}`;
  if (response.status !== 200) {
    const cause = httpError(response, where);
    throw new DeviceFlowError('discovery_failed', cause.message, { cause });
  }
  const body = await readJsonObject(response);
  if (!body) throw new DeviceFlowError('discovery_failed', `${where} is not a JSON object`);
  const fail = (detail: string) => new DeviceFlowError('discovery_failed', `${where}: ${detail}`);

  const issuer = body.issuer;
  if (typeof issuer !== 'string') throw fail('"issuer" is missing');
  const expectedText = typeof expectedIssuer === 'string' ? expectedIssuer : expected.href;
  if (issuer !== expectedText && sameUrl(issuer) !== expected.href) {
    throw fail(`"issuer" names another issuer (RFC 8414 §3.3): ${JSON.stringify(issuer)}`);
  }
  if (body.device_authorization_endpoint === undefined) {
    throw new DeviceFlowError(
      'unsupported_server',
      `${where} has no device_authorization_endpoint: the server does not offer the device authorization grant (RFC 8628 §4)`,
    );
  }
  const server: AuthorizationServer = {
    issuer,
    device_authorization_endpoint: endpoint(body, 'device_authorization_endpoint', fail),
    token_endpoint: endpoint(body, 'token_endpoint', fail),
    ...optionalEndpoint(body, 'revocation_endpoint', fail),
    ...stringList(body, 'scopes_supported', fail),
    ...stringList(body, 'grant_types_supported', fail),
    ...stringList(body, 'token_endpoint_auth_methods_supported', fail),
    ...stringList(body, 'revocation_endpoint_auth_methods_supported', fail),
  };
  if (
    server.grant_types_supported &&
    !server.grant_types_supported.includes(DEVICE_CODE_GRANT_TYPE)
  )
    throw new DeviceFlowError(
      'unsupported_server',
      `${where}: grant_types_supported does not include the device_code grant (RFC 8628 §4)`,
    );
  return Object.freeze(server);
}

/**
 * Finds the server's endpoints: RFC 8414 metadata, then OpenID Connect Discovery when the first
 * is not there (a 4xx answer). Pass `algorithm` to ask for one only.
 *
 * ```ts
 * const server = await discover('https://auth.example.com');
 * ```
 *
 * @throws {DeviceFlowError} `discovery_failed`, `unsupported_server`, `insecure_request`,
 * `network_error`, `request_timeout`, `aborted`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8414#section-3 | RFC 8414 §3}
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-4 | RFC 8628 §4}
 */
export async function discover(
  issuer: string | URL,
  options: DiscoveryOptions = {},
): Promise<AuthorizationServer> {
  if (options.algorithm) {
    return processDiscoveryResponse(issuer, await discoveryRequest(issuer, options));
  }
  const first = await discoveryRequest(issuer, { ...options, algorithm: 'oauth2' });
  if (first.status >= 400 && first.status < 500) {
    const second = await discoveryRequest(issuer, { ...options, algorithm: 'oidc' });
    return processDiscoveryResponse(issuer, second);
  }
  return processDiscoveryResponse(issuer, first);
}

/** Endpoints given explicitly, for servers without metadata. */
export interface Endpoints {
  /** The issuer identifier; default: the origin of the token endpoint. */
  readonly issuer?: string | URL;
  /** RFC 8628 §3.1 device authorization endpoint. */
  readonly deviceAuthorization: string | URL;
  /** RFC 6749 §3.2 token endpoint. */
  readonly token: string | URL;
  /** RFC 7009 revocation endpoint, if the server has one. */
  readonly revocation?: string | URL;
}

/**
 * An {@link AuthorizationServer} from explicit endpoints, for servers that publish no metadata.
 *
 * @throws {DeviceFlowError} `invalid_argument` or `insecure_request` for an unusable URL.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.1 | RFC 8628 §3.1}
 */
export function authorizationServerFromEndpoints(
  endpoints: Endpoints,
  options: Pick<HttpOptions, 'dangerouslyAllowInsecureHttp'> = {},
): AuthorizationServer {
  if (!endpoints || typeof endpoints !== 'object') {
    throw new DeviceFlowError('invalid_argument', 'endpoints must be an object');
  }
  const device = toUrl(endpoints.deviceAuthorization, 'endpoints.deviceAuthorization', options);
  const token = toUrl(endpoints.token, 'endpoints.token', options);
  const revocation =
    endpoints.revocation === undefined
      ? undefined
      : toUrl(endpoints.revocation, 'endpoints.revocation', options);
  const issuer =
    endpoints.issuer === undefined
      ? token.origin
      : issuerUrl(endpoints.issuer).href.replace(/\/$/, '');
  return Object.freeze({
    issuer,
    device_authorization_endpoint: device.href,
    token_endpoint: token.href,
    ...(revocation && { revocation_endpoint: revocation.href }),
  });
}

function issuerUrl(issuer: string | URL): URL {
  let url: URL;
  try {
    url = issuer instanceof URL ? new URL(issuer.href) : new URL(issuer);
  } catch {
    throw new DeviceFlowError('invalid_argument', 'issuer is not a valid URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DeviceFlowError('invalid_argument', 'issuer must be an https: URL');
  }
  if (url.search || url.hash) {
    throw new DeviceFlowError(
      'invalid_argument',
      'issuer must not have a query or fragment (RFC 8414 §2)',
    );
  }
  return url;
}

function sameUrl(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

type Fail = (detail: string) => DeviceFlowError;

function endpoint(body: Record<string, unknown>, name: string, fail: Fail): string {
  const value = body[name];
  if (typeof value !== 'string') throw fail(`"${name}" is missing or not a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`"${name}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw fail(`"${name}" is not an http(s) URL: ${describeUrl(url)}`);
  }
  return url.href;
}

function optionalEndpoint(
  body: Record<string, unknown>,
  name: 'revocation_endpoint',
  fail: Fail,
): { revocation_endpoint?: string } {
  return body[name] === undefined ? {} : { [name]: endpoint(body, name, fail) };
}

function stringList<K extends string>(
  body: Record<string, unknown>,
  name: K,
  fail: Fail,
): { [P in K]?: readonly string[] } {
  const value = body[name];
  if (value === undefined) return {};
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw fail(`"${name}" is not a list of strings`);
  }
  return { [name]: Object.freeze([...value]) } as { [P in K]?: readonly string[] };
}
