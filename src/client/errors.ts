/**
 * The errors of `devicebound/client`. Every error has a stable {@link DeviceFlowErrorCode}; switch
 * on `code`, never on the message. No message, field or cause ever holds an access token,
 * refresh token, ID token, device_code or user_code: server-supplied text is redacted before it
 * is kept (see {@link redact}).
 */
import { redact } from './redact.ts';

/**
 * Stable error codes.
 *
 * | code | meaning |
 * | --- | --- |
 * | `invalid_argument` | the caller passed something unusable (a bad URL, scope or option) |
 * | `insecure_request` | plain `http:` to a host other than loopback, without `dangerouslyAllowInsecureHttp` |
 * | `discovery_failed` | no usable RFC 8414 / OpenID metadata at the issuer |
 * | `unsupported_server` | the server offers no device authorization endpoint |
 * | `invalid_response` | an answer that does not conform to the RFC (a field missing or of the wrong type) |
 * | `http_error` | an HTTP error without an OAuth error body (a proxy's 404, a 429, a redirect) |
 * | `network_error` | the connection failed (outside polling, where it is retried) |
 * | `request_timeout` | one request took longer than the per-request timeout (outside polling) |
 * | `aborted` | the caller's `AbortSignal` fired |
 * | `scope_required` | an empty scope was refused, by this library or by the server |
 * | `access_denied` | the user denied the request (RFC 8628 §3.5) |
 * | `expired_token` | the server says the device_code has expired (RFC 8628 §3.5) |
 * | `device_code_expired` | `expires_in` ran out before approval: the client-side deadline |
 * | `oauth_error` | any other OAuth error answer; see {@link OAuthResponseError.error} |
 * | `session_expired` | the access token's lifetime is over: sign in again |
 * | `session_disposed` | the session was disposed and no longer holds tokens |
 * | `revocation_failed` | `dispose()` forgot the tokens but could not revoke them (RFC 7009) |
 */
export type DeviceFlowErrorCode =
  | 'invalid_argument'
  | 'insecure_request'
  | 'discovery_failed'
  | 'unsupported_server'
  | 'invalid_response'
  | 'http_error'
  | 'network_error'
  | 'request_timeout'
  | 'aborted'
  | 'scope_required'
  | 'access_denied'
  | 'expired_token'
  | 'device_code_expired'
  | 'oauth_error'
  | 'session_expired'
  | 'session_disposed'
  | 'revocation_failed';

/**
 * Base class of every error this library throws.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.5 | RFC 8628 §3.5} for the error
 * answers of the device flow.
 */
export class DeviceFlowError extends Error {
  /** Stable machine-readable code. */
  readonly code: DeviceFlowErrorCode;

  constructor(code: DeviceFlowErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The server answered with an OAuth error body (RFC 6749 §5.2, RFC 8628 §3.5, RFC 7009 §2.2.1).
 * `code` is `access_denied`, `expired_token`, `scope_required` (an `invalid_scope` answer to an
 * empty scope) or `oauth_error`; `error` is the server's own error code.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc6749#section-5.2 | RFC 6749 §5.2}
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.5 | RFC 8628 §3.5}
 */
export class OAuthResponseError extends DeviceFlowError {
  /** The server's `error` value, e.g. `access_denied` or `invalid_grant`. */
  readonly error: string;
  /** The server's `error_description`, redacted; `undefined` when it sent none. */
  readonly errorDescription: string | undefined;
  /** The server's `error_uri`, when it sent one. */
  readonly errorUri: string | undefined;
  /** HTTP status of the answer. */
  readonly status: number;

  constructor(
    code: Extract<
      DeviceFlowErrorCode,
      'access_denied' | 'expired_token' | 'scope_required' | 'oauth_error'
    >,
    message: string,
    details: { error: string; errorDescription?: string; errorUri?: string; status: number },
  ) {
    super(code, message);
    this.error = details.error;
    this.errorDescription = details.errorDescription;
    this.errorUri = details.errorUri;
    this.status = details.status;
  }
}

/**
 * True when `error` is a {@link DeviceFlowError}, optionally with one of the given codes
 * (see {@link DeviceFlowErrorCode}).
 *
 * ```ts
 * if (isDeviceFlowError(error, 'access_denied', 'device_code_expired')) process.exitCode = 1;
 * ```
 */
export function isDeviceFlowError(
  error: unknown,
  ...codes: DeviceFlowErrorCode[]
): error is DeviceFlowError {
  return error instanceof DeviceFlowError && (codes.length === 0 || codes.includes(error.code));
}

/**
 * Server-supplied text that goes into an error: known secret values replaced, then every
 * credential shape {@link redact} knows masked, control characters dropped, length capped.
 * @internal
 */
export function sanitizeServerText(
  text: string,
  secrets: readonly (string | undefined)[] = [],
): string {
  let clean = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) clean = clean.split(secret).join('[REDACTED]');
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  clean = redact(clean).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
