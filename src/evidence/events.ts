/**
 * What a source of evidence records, in order: the requests a program made and the answers it
 * got, the decisions taken on its device authorizations, the destinations the egress proxy
 * refused, and markers from whoever drives the source. The lab records these today; a capture
 * (HAR, a proxy log) records the same requests without the fields only the lab can know, which
 * are optional and documented as lab-only. Events hold fingerprints, never raw credentials.
 */
import type { CanaryEncoding, CanaryKind, DialectName, InjectedFault } from './names.ts';
import type { Fingerprint } from './secret.ts';

/** A credential named by kind and fingerprint: how events refer to secrets. */
export interface CredentialRef {
  kind: CanaryKind;
  fingerprint: Fingerprint;
}

/** What an endpoint is, whatever the dialect calls it. */
export const LAB_ENDPOINTS = [
  'metadata',
  'device_authorization',
  'token',
  'revocation',
  'jwks',
  'resource',
  'verification',
  'discovery',
  // v2: dynamic client registration (RFC 7591; AWS SSO OIDC `RegisterClient`).
  'registration',
  'unknown',
] as const;
export type LabEndpoint = (typeof LAB_ENDPOINTS)[number];

/** One HTTP request and the answer to it. */
export interface RequestEvent {
  type: 'request';
  /** Position in the recording, from 1. */
  seq: number;
  /** Monotonic milliseconds since the source started, when the request arrived. */
  t: number;
  /** Milliseconds the answer took. */
  durationMs: number;
  method: string;
  path: string;
  /**
   * The host name the program asked for when the lab played another host (`github.com`, through
   * the egress proxy or with TLS); absent for requests to the lab's own loopback issuer.
   */
  host?: string;
  /** Present when the request was answered in a dialect other than generic RFC 8628. */
  dialect?: DialectName;
  /** What the endpoint is, whatever the dialect calls it (checks read this). */
  endpoint: LabEndpoint;
  /**
   * RFC grant type (the URN for the device_code grant), whatever the dialect sent: checks read
   * this. `wireGrantType` keeps the dialect's own spelling when it differs (msal-node sends
   * `device_code`).
   */
  grantType?: string;
  wireGrantType?: string;
  /**
   * v2: the dialect's own name for the operation when it has one (AWS: `CreateToken`,
   * `GetRoleCredentials`, `GetCallerIdentity`).
   */
  operation?: string;
  clientId?: string;
  /** Scope requested (device authorization, refresh) or presented (resource). */
  scope?: string;
  /** The device authorization this request belongs to. */
  deviceCode?: Fingerprint;
  /** Lab-only: token request number for this device_code, 1-based. */
  poll?: number;
  /** Lab-only: the interval in force for this device_code when the request came, seconds. */
  intervalInForce?: number;
  /** v2 (captures): the URL scheme the request used (the lab's own traffic leaves it out). */
  scheme?: string;
  /** v2 (captures): where in the capture this request is: its file, entry index and line. */
  entry?: { file: string; index: number; line: number };
  /**
   * v2 (captures): how long the access token this answer issued lives, seconds: `expires_in`,
   * or the JWT's `exp` minus its `iat` when that is longer.
   */
  tokenLifetime?: number;
  /**
   * v2 (recorded traces): the `expires_in` a device authorization answer announced, seconds
   * (its `interval` is in `intervalInForce`).
   */
  expiresIn?: number;
  /** HTTP status of the answer; 0 when the connection was dropped instead. */
  status: number;
  /**
   * `success`, an RFC OAuth error code, or what the lab did instead of answering. A dialect's own
   * error names are mapped onto the RFC ones (Microsoft's `authorization_declined` is
   * `access_denied`); `wireError` keeps what was sent when it differs.
   */
  outcome: string;
  wireError?: string;
  /**
   * Lab-only: set when the answer was a fault the scenario asked for: a bare 503 or a dropped
   * connection at a poll; a token response cut short (`truncated`); a resource's 500 HTML page
   * (`resource-error`) or 401 on a good token (`unauthorized`).
   */
  injected?: InjectedFault;
  presented: CredentialRef[];
  issued: CredentialRef[];
}

/** A decision on a device authorization, by the scenario, the verification page or the API. */
export interface DecisionEvent {
  type: 'decision';
  seq: number;
  t: number;
  decision: 'approved' | 'denied';
  by: 'scenario' | 'page' | 'api';
  deviceCode: Fingerprint;
}

/** A note from whoever drives the source (the runner marks where each run starts and ends). */
export interface MarkerEvent {
  type: 'marker';
  seq: number;
  t: number;
  label: string;
  data?: Record<string, string | number | boolean | null>;
}

/** Lab-only: the lab as it started, first in its recording. */
export interface LabStartEvent {
  type: 'lab-start';
  seq: number;
  t: number;
  /** Wall-clock time of `t = 0`, ISO 8601. */
  startedAt: string;
  issuer: string;
  /** Absent for the generic dialect. */
  dialect?: DialectName;
  /** Host names the lab plays (through the egress proxy, or its own TLS listener). */
  hosts?: string[];
  /** URL of the egress proxy, when the lab runs one. */
  proxy?: string;
  scenario: string;
  clientId: string;
  interval: number;
  expiresIn: number;
  tokenTtl: number;
}

/**
 * A connection or request the egress proxy refused: a destination the task does not play.
 * Nothing is ever forwarded. Paths are recorded without their query, with any canary the lab
 * issued replaced by its redacted preview.
 */
export interface EgressEvent {
  type: 'egress';
  seq: number;
  t: number;
  /** `CONNECT` for a tunnel, else the method of an absolute-form request. */
  method: string;
  scheme: 'http' | 'https' | 'unknown';
  /** Host name or IP literal as asked for (IPv6 without brackets), lower case. */
  host: string;
  port: number;
  /** Path of an absolute-form or intercepted request, query removed; absent for tunnels. */
  path?: string;
  /**
   * `refused`: answered 403 without reading (a CONNECT never opened, or `egress.mode: refuse`);
   * `intercepted`: the request was read (TLS terminated with the run CA), searched for every
   * canary, recorded, and answered 503. Neither is ever forwarded. `observed`: a request seen
   * in a capture (`analyze`), which did reach the network.
   */
  action: 'refused' | 'intercepted' | 'observed';
  reason: string;
  /** Intercepted: the credentials the request carried, where and how written (never values). */
  carried?: EgressCarried[];
  /** Intercepted: the body's size as sent, and the content-encoding that was decoded. */
  bodyBytes?: number;
  contentEncoding?: string;
}

/** A canary found in an intercepted request: in its URL (query included), a header or the body. */
export interface EgressCarried {
  kind: CanaryKind;
  fingerprint: Fingerprint;
  preview: string;
  encoding: CanaryEncoding;
  where: 'url' | 'header' | 'body';
  /** The header's name, lower case, when `where` is `header`. */
  header?: string;
}

export type LabEvent = RequestEvent | DecisionEvent | MarkerEvent | LabStartEvent | EgressEvent;
