/**
 * HTTP plumbing shared by every request of the client: the transport check (TLS unless
 * loopback), the per-request timeout combined with the caller's signal, no redirects, and the
 * times a response was asked for and arrived (the poller measures intervals from them).
 * Internal: not exported from `devicebound/client`.
 */
import { DeviceFlowError, OAuthResponseError, sanitizeServerText } from './errors.ts';

/**
 * Options every request function takes.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-5.1 | RFC 8628 §5.1} (TLS)
 */
export interface HttpOptions {
  /** Cancels the request (and a running poll loop). The error is `aborted`. */
  readonly signal?: AbortSignal;
  /**
   * Per-request timeout, in seconds. Default 30. Within polling a timeout counts as a failed
   * connection (backed off and retried); elsewhere it is a `request_timeout` error.
   */
  readonly timeout?: number;
  /** A `fetch` to use instead of the global one (a proxy agent, a test double). */
  readonly fetch?: typeof fetch;
  /**
   * **Unsafe.** Allow plain `http:` to hosts other than loopback. Tokens and device codes then
   * cross the network in clear text (RFC 6749 §1.6, RFC 8628 §5.1 require TLS). Loopback
   * addresses (`127.0.0.0/8`, `::1`, `localhost`) are always allowed.
   */
  readonly dangerouslyAllowInsecureHttp?: boolean;
}

/** Default per-request timeout, seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** What the client knows about when a response was asked for and when it arrived. */
export interface Timing {
  /** `performance.now()` just before the request was sent. */
  readonly sentAt: number;
  /** `performance.now()` once the whole body had arrived. */
  readonly receivedAt: number;
  /** Wall clock when the request was sent (ms since the epoch). */
  readonly sentAtEpoch: number;
}

const timings = new WeakMap<Response, Timing>();

/** When a response returned by this library's request functions was sent and received. */
export function timingOf(response: Response): Timing | undefined {
  return timings.get(response);
}

export const now = (): number => performance.now();

/** Validates a URL-ish argument and the transport rule. */
export function toUrl(value: string | URL, what: string, options: HttpOptions = {}): URL {
  let url: URL;
  try {
    url = value instanceof URL ? new URL(value.href) : new URL(value);
  } catch {
    throw new DeviceFlowError('invalid_argument', `${what} is not a valid URL`);
  }
  assertTransport(url, what, options);
  return url;
}

export function assertTransport(url: URL, what: string, options: HttpOptions): void {
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') {
    throw new DeviceFlowError('invalid_argument', `${what} must be an https: URL`);
  }
  if (isLoopback(url.hostname) || options.dangerouslyAllowInsecureHttp === true) return;
  throw new DeviceFlowError(
    'insecure_request',
    `${what} ${url.origin} uses plain http: outside loopback; use https: (RFC 8628 §5.1) or ` +
      'set dangerouslyAllowInsecureHttp',
  );
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (RFC 6761 §6.3, RFC 8252 §7.3). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  return /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Where a request is going, for messages: origin and path, never a query. */
export function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Seconds → milliseconds for the per-request timeout, validated. */
function timeoutMs(options: HttpOptions): number {
  const seconds = options.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new DeviceFlowError('invalid_argument', 'timeout must be a positive number of seconds');
  }
  return Math.ceil(seconds * 1000);
}

/** Throws `aborted` when the caller's signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new DeviceFlowError('aborted', 'the device flow was aborted', { cause: signal.reason });
  }
}

/**
 * Sends a request with the timeout, no redirects and the transport rule, and reads the body.
 * Network failures become `network_error`, timeouts `request_timeout`, the caller's abort
 * `aborted`. The `Response` is returned with its timing recorded.
 */
export async function send(
  url: URL,
  init: { method: 'GET' | 'POST'; body?: URLSearchParams; headers?: Record<string, string> },
  options: HttpOptions,
): Promise<Response> {
  assertTransport(url, 'endpoint', options);
  throwIfAborted(options.signal);
  const limit = timeoutMs(options);
  const timeout = AbortSignal.timeout(limit);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body) headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sentAtEpoch = Date.now();
  const sentAt = now();
  let response: Response;
  try {
    response = await fetchImpl(url.href, {
      method: init.method,
      headers,
      ...(init.body ? { body: init.body.toString() } : {}),
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    throw transportError(error, url, options, timeout, limit);
  }
  // Read the body now, under the same signal, so `receivedAt` is when the answer is complete.
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportError(error, url, options, timeout, limit);
  }
  const copy = new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  timings.set(copy, { sentAt, receivedAt: now(), sentAtEpoch });
  return copy;
}

function transportError(
  error: unknown,
  url: URL,
  options: HttpOptions,
  timeout: AbortSignal,
  limit: number,
): DeviceFlowError {
  if (error instanceof DeviceFlowError) return error;
  if (options.signal?.aborted) {
    return new DeviceFlowError('aborted', 'the device flow was aborted', {
      cause: options.signal.reason,
    });
  }
  if (timeout.aborted) {
    return new DeviceFlowError(
      'request_timeout',
      `${describeUrl(url)} did not answer within ${limit / 1000} s`,
    );
  }
  return new DeviceFlowError(
    'network_error',
    `cannot reach ${describeUrl(url)}: ${networkReason(error)}`,
    { cause: error },
  );
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return sanitizeServerText(cause.message);
  if (error instanceof Error) return sanitizeServerText(error.message);
  return 'network error';
}

/** Reads a JSON object body, or `undefined` when the body is not one. */
export async function readJsonObject(
  response: Response,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await response.clone().text();
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The OAuth error of an error body (RFC 6749 §5.2), or `undefined` when it is not one. */
export function oauthErrorOf(
  body: Record<string, unknown> | undefined,
): { error: string; description?: string; uri?: string } | undefined {
  if (!body || typeof body.error !== 'string' || body.error === '') return undefined;
  return {
    error: body.error,
    ...(typeof body.error_description === 'string' && { description: body.error_description }),
    ...(typeof body.error_uri === 'string' && { uri: body.error_uri }),
  };
}

/**
 * The error for an OAuth error answer; `secrets` are values the server might echo back (the
 * device_code, the user_code) and that must not end up in the message.
 */
export function oauthResponseError(
  response: Response,
  oauth: { error: string; description?: string; uri?: string },
  where: string,
  secrets: readonly (string | undefined)[] = [],
): OAuthResponseError {
  const description =
    oauth.description === undefined ? undefined : sanitizeServerText(oauth.description, secrets);
  const error = sanitizeServerText(oauth.error, secrets).slice(0, 64);
  const code =
    error === 'access_denied'
      ? 'access_denied'
      : error === 'expired_token'
        ? 'expired_token'
        : 'oauth_error';
  return new OAuthResponseError(
    code,
    `${where} answered ${error}${description ? `: ${description}` : ''} (HTTP ${response.status})`,
    {
      error,
      status: response.status,
      ...(description !== undefined && { errorDescription: description }),
      ...(oauth.uri !== undefined && { errorUri: sanitizeServerText(oauth.uri, secrets) }),
    },
  );
}

/** An HTTP error without an OAuth error body. */
export function httpError(response: Response, where: string): DeviceFlowError {
  const redirect = response.status >= 300 && response.status < 400;
  return new DeviceFlowError(
    'http_error',
    redirect
      ? `${where} answered with a redirect (HTTP ${response.status}); redirects are not followed`
      : `${where} answered HTTP ${response.status} without an OAuth error`,
  );
}

/**
 * `Retry-After` (RFC 9110 §10.2.3) in milliseconds from now: delay-seconds or an HTTP-date;
 * `undefined` when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, nowEpoch = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (!Number.isFinite(date)) return undefined;
  return Math.max(0, date - nowEpoch);
}

/** The body as a form, for POST requests. */
export function form(parameters: Record<string, string | undefined>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined) body.set(name, value);
  }
  return body;
}
