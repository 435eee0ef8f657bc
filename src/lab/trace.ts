import { EventEmitter } from 'node:events';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../errors.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import type { CanaryKind } from './canaries.ts';
import type { DialectName } from './dialects/names.ts';

/** A credential named by kind and fingerprint: how the trace refers to secrets. */
export interface CredentialRef {
  kind: CanaryKind;
  fingerprint: Fingerprint;
}

export type LabEndpoint =
  | 'metadata'
  | 'device_authorization'
  | 'token'
  | 'revocation'
  | 'jwks'
  | 'resource'
  | 'verification'
  | 'discovery'
  | 'unknown';

/** The wire dialect a request was answered in (DESIGN.md v2: dialects map onto one lab state). */
export type { DialectName };

/** One HTTP request and the lab's answer to it. */
export interface RequestEvent {
  type: 'request';
  seq: number;
  /** Monotonic milliseconds since the lab started, when the request arrived. */
  t: number;
  /** Milliseconds the lab took to answer. */
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
  /** What the lab's endpoint is, whatever the dialect calls it (checks read this). */
  endpoint: LabEndpoint;
  /**
   * RFC grant type (the URN for the device_code grant), whatever the dialect sent: checks read
   * this. `wireGrantType` keeps the dialect's own spelling when it differs (msal-node sends
   * `device_code`).
   */
  grantType?: string;
  wireGrantType?: string;
  clientId?: string;
  /** Scope requested (device authorization, refresh) or presented (resource). */
  scope?: string;
  /** The device authorization this request belongs to. */
  deviceCode?: Fingerprint;
  /** Token request number for this device_code, 1-based. */
  poll?: number;
  /** The interval in force for this device_code when the request came, in seconds. */
  intervalInForce?: number;
  status: number;
  /**
   * `success`, an RFC OAuth error code, or what the lab did instead of answering. A dialect's own
   * error names are mapped onto the RFC ones (Microsoft's `authorization_declined` is
   * `access_denied`); `wireError` keeps what was sent when it differs.
   */
  outcome: string;
  wireError?: string;
  /** Set when the answer was a fault the scenario asked for. */
  injected?: 'server-error' | 'drop';
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

/** A note from whoever drives the lab (the runner marks where each run starts and ends). */
export interface MarkerEvent {
  type: 'marker';
  seq: number;
  t: number;
  label: string;
  data?: Record<string, string | number | boolean | null>;
}

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
  /** Path of an absolute-form request, query removed; absent for tunnels. */
  path?: string;
  action: 'refused';
  reason: string;
}

export type LabEvent = RequestEvent | DecisionEvent | MarkerEvent | LabStartEvent | EgressEvent;

type Unsequenced<E> = E extends LabEvent ? Omit<E, 'seq' | 't'> & { t?: number } : never;

/**
 * Every event of one lab, in order. Held in memory (`events`), announced to listeners
 * (`on('event')`), and written as JSON lines when a file is given. Events hold fingerprints,
 * never raw credentials.
 */
export class Trace extends EventEmitter<{ event: [LabEvent]; error: [Error] }> {
  readonly #events: LabEvent[] = [];
  readonly #origin = performance.now();
  readonly #file: WriteStream | undefined;

  constructor(file?: string) {
    super();
    this.#file = file ? openTraceFile(file) : undefined;
    this.#file?.on('error', (error) => this.emit('error', error));
  }

  get events(): readonly LabEvent[] {
    return this.#events;
  }

  /** Monotonic milliseconds since the lab started, to 0.1 ms. */
  now(): number {
    return Math.round((performance.now() - this.#origin) * 10) / 10;
  }

  record<E extends Unsequenced<LabEvent>>(event: E): LabEvent {
    const full = { ...event, seq: this.#events.length + 1, t: event.t ?? this.now() } as LabEvent;
    this.#events.push(full);
    this.#file?.write(`${JSON.stringify(full)}\n`);
    this.emit('event', full);
    return full;
  }

  /** Flushes and closes the trace file, if any. */
  async close(): Promise<void> {
    const file = this.#file;
    if (!file || file.closed) return;
    await new Promise<void>((resolve, reject) => {
      file.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }
}

/** Opens the trace file at once, so a bad path is a clear usage error rather than a crash later. */
function openTraceFile(file: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(file, 'w', 0o600);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'cannot be opened';
    throw new UsageError(`cannot write the trace file (${reason})`, { file, field: '--trace' });
  }
  return createWriteStream('', { fd });
}
