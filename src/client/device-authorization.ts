/**
 * RFC 8628 §3.1–3.3: the device authorization request, its response, and what to show the
 * user.
 */
import type { AuthorizationServer, Client } from './discovery.ts';
import { DeviceFlowError, OAuthResponseError } from './errors.ts';
import {
  form,
  type HttpOptions,
  httpError,
  now,
  oauthErrorOf,
  oauthResponseError,
  readJsonObject,
  send,
  timingOf,
  toUrl,
} from './http.ts';
import { normalizeScope, requestsOfflineAccess, type ScopeOptions } from './scope.ts';

/** Parameters the library sets itself; `additionalParameters` may not override them. */
const RESERVED_PARAMETERS = ['client_id', 'scope', 'grant_type', 'device_code'];

/** Options of {@link deviceAuthorizationRequest}. */
export interface DeviceAuthorizationRequestOptions extends HttpOptions, ScopeOptions {
  /**
   * The scope to ask for: a space-delimited string or a list. Sent exactly as given (repeats
   * dropped); an empty scope is refused unless `dangerouslyUseServerDefaultScope` is set.
   */
  readonly scope: string | readonly string[];
  /** Extra parameters such as `resource` (RFC 8707) or a provider's `audience`. */
  readonly additionalParameters?: Readonly<Record<string, string>>;
}

const requestedScopes = new WeakMap<Response, string>();

/**
 * Sends the device authorization request (RFC 8628 §3.1) as a public client. Read the answer
 * with {@link processDeviceAuthorizationResponse}.
 *
 * @throws {DeviceFlowError} `scope_required`, `invalid_argument`, `insecure_request`,
 * `network_error`, `request_timeout`, `aborted`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.1 | RFC 8628 §3.1}
 */
export async function deviceAuthorizationRequest(
  server: AuthorizationServer,
  client: Client,
  options: DeviceAuthorizationRequestOptions,
): Promise<Response> {
  assertClient(client);
  const scope = normalizeScope(options.scope, options);
  const extra = options.additionalParameters ?? {};
  for (const [name, value] of Object.entries(extra)) {
    if (RESERVED_PARAMETERS.includes(name)) {
      throw new DeviceFlowError(
        'invalid_argument',
        `additionalParameters may not set '${name}': the library sets it`,
      );
    }
    if (typeof value !== 'string') {
      throw new DeviceFlowError(
        'invalid_argument',
        `additionalParameters.${name} must be a string`,
      );
    }
  }
  const url = toUrl(server.device_authorization_endpoint, 'device_authorization_endpoint', options);
  const body = form({ ...extra, client_id: client.client_id, scope: scope || undefined });
  const response = await send(url, { method: 'POST', body }, options);
  requestedScopes.set(response, scope);
  return response;
}

/** What the poller needs and the public API does not show. */
export interface PollingSecrets {
  readonly deviceCode: string;
  /** `performance.now()` of the client-side deadline: `expires_in` after the request was sent. */
  readonly deadline: number;
  /** `performance.now()` when the answer arrived: the first poll waits the interval from here. */
  readonly receivedAt: number;
}

/**
 * The device code and clock of an authorization. Internal: the device code never leaves the
 * library through its public API.
 * @internal
 */
export let pollingSecretsOf: (authorization: DeviceAuthorization) => PollingSecrets;

/**
 * A validated device authorization response (RFC 8628 §3.2): what to show the user, and when
 * the device code expires. The `device_code` itself is kept inside; it is only ever sent to the
 * token endpoint. `JSON.stringify` and `util.inspect` show no code at all.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.2 | RFC 8628 §3.2}
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.3 | RFC 8628 §3.3}
 */
export class DeviceAuthorization {
  /** The code the user enters at the verification URI (RFC 8628 §3.2 `user_code`). */
  readonly userCode: string;
  /** Where the user goes (RFC 8628 §3.2 `verification_uri`). */
  readonly verificationUri: string;
  /** The URI with the user code included, for a QR code or a link (RFC 8628 §3.3.1). */
  readonly verificationUriComplete: string | undefined;
  /** Lifetime of the device code in seconds (RFC 8628 §3.2 `expires_in`). */
  readonly expiresIn: number;
  /** The polling interval the server announced, seconds; `undefined` when it gave none (5 s applies). */
  readonly interval: number | undefined;
  /** When the device code expires, counted from when the request was sent. */
  readonly expiresAt: Date;
  /** The scope that was asked for. */
  readonly scope: string;
  /** True when the scope asks for `offline_access`: tell the user. */
  readonly offlineAccess: boolean;
  readonly #secrets: PollingSecrets;

  static {
    pollingSecretsOf = (authorization) => authorization.#secrets;
  }

  /** @internal Made by {@link processDeviceAuthorizationResponse}. */
  constructor(fields: {
    deviceCode: string;
    userCode: string;
    verificationUri: string;
    verificationUriComplete: string | undefined;
    expiresIn: number;
    interval: number | undefined;
    scope: string;
    sentAt: number;
    sentAtEpoch: number;
    receivedAt: number;
  }) {
    this.#secrets = Object.freeze({
      deviceCode: fields.deviceCode,
      deadline: fields.sentAt + fields.expiresIn * 1000,
      receivedAt: fields.receivedAt,
    });
    this.userCode = fields.userCode;
    this.verificationUri = fields.verificationUri;
    this.verificationUriComplete = fields.verificationUriComplete;
    this.expiresIn = fields.expiresIn;
    this.interval = fields.interval;
    this.scope = fields.scope;
    this.offlineAccess = requestsOfflineAccess(fields.scope);
    this.expiresAt = new Date(fields.sentAtEpoch + fields.expiresIn * 1000);
    Object.freeze(this);
  }

  /** No codes: the user code belongs on the prompt only, the device code nowhere. */
  toJSON(): Record<string, unknown> {
    return {
      verificationUri: this.verificationUri,
      expiresIn: this.expiresIn,
      interval: this.interval,
      expiresAt: this.expiresAt.toISOString(),
      scope: this.scope,
    };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DeviceAuthorization ${JSON.stringify(this.toJSON())}`;
  }
}

/**
 * Validates a device authorization response (RFC 8628 §3.2): HTTP 200 and a JSON object with a
 * `device_code`, a `user_code` and a `verification_uri` (absolute http(s) URL) that are
 * non-empty strings without control characters (they are printed to a terminal), a positive
 * `expires_in`, and, when present, a positive `interval` and a `verification_uri_complete`.
 * Numbers sent as digit strings are accepted. An OAuth error answer becomes an
 * {@link OAuthResponseError}; `invalid_scope` to an empty scope becomes `scope_required`.
 *
 * @throws {OAuthResponseError} the server refused the request.
 * @throws {DeviceFlowError} `invalid_response`, `http_error`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.2 | RFC 8628 §3.2}
 */
export async function processDeviceAuthorizationResponse(
  _server: AuthorizationServer,
  client: Client,
  response: Response,
): Promise<DeviceAuthorization> {
  assertClient(client);
  const where = 'the device authorization endpoint';
  const body = await readJsonObject(response);
  const scope = requestedScopes.get(response) ?? '';
  if (response.status !== 200) {
    const oauth = oauthErrorOf(body);
    if (!oauth) throw httpError(response, where);
    const error = oauthResponseError(response, oauth, where);
    if (oauth.error === 'invalid_scope' && scope === '') {
      throw new OAuthResponseError(
        'scope_required',
        `${where} requires a scope: ${error.message}`,
        {
          error: error.error,
          status: error.status,
          ...(error.errorDescription !== undefined && {
            errorDescription: error.errorDescription,
          }),
        },
      );
    }
    throw error;
  }
  if (!body) throw invalid(`${where} answered HTTP 200 without a JSON object`);

  const deviceCode = printable(body, 'device_code', where);
  const userCode = printable(body, 'user_code', where, 64);
  // `verification_url` is what some providers (Google) send instead of `verification_uri`.
  const uriField = body.verification_uri === undefined ? 'verification_url' : 'verification_uri';
  const verificationUri = absoluteUrl(body, uriField, where);
  const verificationUriComplete =
    body.verification_uri_complete === undefined
      ? undefined
      : absoluteUrl(body, 'verification_uri_complete', where);
  const expiresIn = positiveNumber(body, 'expires_in', where);
  if (expiresIn === undefined) throw invalid(`${where}: "expires_in" is missing (RFC 8628 §3.2)`);
  const interval = positiveNumber(body, 'interval', where);

  const timing = timingOf(response);
  const receivedAt = timing?.receivedAt ?? now();
  return new DeviceAuthorization({
    deviceCode,
    userCode,
    verificationUri,
    verificationUriComplete,
    expiresIn,
    interval,
    scope,
    sentAt: timing?.sentAt ?? receivedAt,
    sentAtEpoch: timing?.sentAtEpoch ?? Date.now(),
    receivedAt,
  });
}

export function assertClient(client: Client): void {
  if (
    !client ||
    typeof client.client_id !== 'string' ||
    !/^[\x20-\x7e]{1,255}$/.test(client.client_id)
  ) {
    throw new DeviceFlowError(
      'invalid_argument',
      'client.client_id must be 1-255 printable ASCII characters',
    );
  }
}

function invalid(message: string): DeviceFlowError {
  return new DeviceFlowError('invalid_response', message);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A non-empty string a terminal can print as it is: no escape sequences, no bidi overrides. */
function printable(
  body: Record<string, unknown>,
  name: string,
  where: string,
  maxLength = 4096,
): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw invalid(`${where}: "${name}" is missing or not a string (RFC 8628 §3.2)`);
  }
  if (CONTROL.test(value) || value.length > maxLength) {
    throw invalid(`${where}: "${name}" has control characters or is too long`);
  }
  return value;
}

function absoluteUrl(body: Record<string, unknown>, name: string, where: string): string {
  const value = printable(body, name, where);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${where}: "${name}" is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`${where}: "${name}" is not an http(s) URL`);
  }
  return value;
}

/** A positive number of seconds; digit strings are accepted. `undefined` when absent. */
export function positiveNumber(
  body: Record<string, unknown>,
  name: string,
  where: string,
): number | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && /^\d+(?:\.\d+)?$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${where}: "${name}" must be a positive number of seconds`);
  }
  return value;
}
