import type { IncomingMessage } from 'node:http';
import type { LabEndpoint, RequestEvent } from '../evidence/events.ts';
import type { CanaryKind } from '../evidence/names.ts';
import type { Fingerprint, Secret } from '../evidence/secret.ts';
import type { CanaryRegistry } from './canaries.ts';
import type { HarRecorder } from './har.ts';
import type { OAuthError } from './http.ts';
import type { LabKeys } from './keys.ts';
import type { LabSettings } from './settings.ts';
import type { DeviceAuthorization, LabStore } from './store.ts';
import type { Trace } from './trace.ts';

/** Everything an endpoint may use. One per lab. */
export interface LabContext {
  settings: LabSettings;
  issuer: string;
  /** Base URL of the protected resource (`GET {resource}/whoami`). */
  resource: string;
  store: LabStore;
  canaries: CanaryRegistry;
  trace: Trace;
  keys: LabKeys;
  /** Makes HAR entries when `settings.onExchange` wants them. */
  har: HarRecorder | undefined;
  /**
   * Records a freshly made credential as a canary. `deviceCode` links it to the device
   * authorization it stems from (a device_code links to itself).
   */
  issue(kind: CanaryKind, value: string, deviceCode?: Fingerprint): Secret;
  decide(
    authorization: DeviceAuthorization,
    decision: 'approved' | 'denied',
    by: 'scenario' | 'page' | 'api',
  ): void;
}

/** The fields of the trace event an endpoint fills in while it handles a request. */
export type EventDetails = Pick<
  RequestEvent,
  | 'grantType'
  | 'clientId'
  | 'scope'
  | 'deviceCode'
  | 'poll'
  | 'intervalInForce'
  | 'injected'
  | 'endpoint'
  | 'wireGrantType'
  | 'operation'
  | 'wireError'
  | 'presented'
  | 'issued'
>;

export interface Exchange {
  request: IncomingMessage;
  url: URL;
  event: Partial<EventDetails> & Pick<EventDetails, 'presented' | 'issued'>;
  /**
   * Set by the flow when the scenario cuts this answer short (the `truncated-token` fault):
   * the server writes the reply's body only up to a little past its access token, with a
   * Content-Length that matches, so the client gets a complete response with broken JSON.
   */
  truncate?: boolean;
}

/** What an endpoint answers; the server writes it and records the event. */
export type Reply =
  | {
      kind: 'json';
      status: number;
      body: unknown;
      headers?: Record<string, string>;
      /** What the trace records as the outcome when the status alone does not say (a dialect
       * that answers OAuth errors with HTTP 200, as GitHub does). */
      outcome?: string;
    }
  | {
      kind: 'text';
      status: number;
      body: string;
      contentType: string;
      outcome: string;
      headers?: Record<string, string>;
    }
  | {
      kind: 'html';
      status: number;
      body: string;
      /** What the trace records as the outcome (pages have no OAuth error code). */
      outcome: string;
      headers?: Record<string, string>;
    }
  | { kind: 'error'; error: OAuthError }
  | { kind: 'fault'; fault: 'server-error' | 'drop' | 'resource-error' };

export type Handler = (context: LabContext, exchange: Exchange) => Promise<Reply> | Reply;

export function json(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return headers ? { kind: 'json', status, body, headers } : { kind: 'json', status, body };
}

/** An endpoint and its handlers by method (HEAD is served by GET). */
export interface Route {
  endpoint: LabEndpoint;
  methods: Partial<Record<'GET' | 'POST', Handler>>;
}
