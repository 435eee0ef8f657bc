/**
 * `devicebound/client`: a bounded OAuth 2.0 Device Authorization Grant client (RFC 8628).
 *
 * One high-level call, {@link authorize}, and the request/process pairs it is made of:
 *
 * | step | request | process |
 * | --- | --- | --- |
 * | metadata (RFC 8414 §3) | {@link discoveryRequest} | {@link processDiscoveryResponse} |
 * | device authorization (RFC 8628 §3.1) | {@link deviceAuthorizationRequest} | {@link processDeviceAuthorizationResponse} |
 * | one poll (RFC 8628 §3.4) | {@link deviceCodeGrantRequest} | {@link processDeviceCodeResponse} |
 * | revocation (RFC 7009 §2) | {@link revocationRequest} | {@link processRevocationResponse} |
 *
 * plus {@link discover} and {@link pollDeviceAuthorizationGrant}, which run the first and third
 * rows as RFC 8414 and RFC 8628 §3.5 ask. The boundary it keeps:
 *
 * - polls at the interval (5 s by default), +5 s for good on `slow_down`, honours
 *   `Retry-After`, backs off on 5xx and failed connections, stops at `expires_in`, on every
 *   error answer and on an `AbortSignal`; never starts a second device authorization itself;
 * - asks for exactly the caller's scope, never an empty one unless told so loudly, never adds
 *   `offline_access`, and warns when the caller asks for it;
 * - keeps tokens in memory only ({@link DeviceSession}: no persistence, no refresh), fails
 *   clearly after expiry, revokes on `dispose()`;
 * - puts no token, device code or user code into an error, and offers {@link redact} and
 *   {@link createRedactingLogger} for the CLI's own logs.
 *
 * ```ts
 * import { authorize } from 'devicebound/client';
 *
 * const session = await authorize({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-cli',
 *   scope: 'repo:read',
 *   onPrompt: ({ verificationUri, userCode }) =>
 *     console.error(`open ${verificationUri} and enter ${userCode}`),
 * });
 * ```
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628 | RFC 8628}
 * @packageDocumentation
 */

export { type AuthorizeOptions, authorize, type DeviceFlowWarning } from './authorize.ts';
export type {
  DeviceAuthorization,
  DeviceAuthorizationRequestOptions,
} from './device-authorization.ts';
export {
  deviceAuthorizationRequest,
  processDeviceAuthorizationResponse,
} from './device-authorization.ts';
export {
  type DeviceCodeResult,
  deviceCodeGrantRequest,
  processDeviceCodeResponse,
} from './device-code-grant.ts';
export {
  type AuthorizationServer,
  authorizationServerFromEndpoints,
  type Client,
  DEVICE_CODE_GRANT_TYPE,
  type DiscoveryAlgorithm,
  type DiscoveryOptions,
  discover,
  discoveryRequest,
  type Endpoints,
  metadataUrl,
  processDiscoveryResponse,
} from './discovery.ts';
export {
  DeviceFlowError,
  type DeviceFlowErrorCode,
  isDeviceFlowError,
  OAuthResponseError,
} from './errors.ts';
export { DEFAULT_TIMEOUT_SECONDS, type HttpOptions } from './http.ts';
export { type PollOptions, type PollProgress, pollDeviceAuthorizationGrant } from './poll.ts';
export {
  createRedactingLogger,
  type LogLevel,
  REDACTED,
  type RedactingLogger,
  type RedactingLoggerOptions,
  type RedactOptions,
  redact,
  SECRET_PARAMETERS,
  TOKEN_FORMATS,
  type TokenFormat,
} from './redact.ts';
export {
  processRevocationResponse,
  type RevocationRequestOptions,
  revocationRequest,
} from './revocation.ts';
export {
  DEADLINE_MARGIN_MS,
  DEFAULT_INTERVAL_SECONDS,
  MAX_BACKOFF_MS,
  SLOW_DOWN_SECONDS,
} from './schedule.ts';
export { normalizeScope, OFFLINE_ACCESS, type ScopeOptions } from './scope.ts';
export type { AccessTokenOptions, DeviceSession } from './session.ts';
