/**
 * A recorded trace (`devicebound record`): the lab's JSONL trace format, written by a
 * recording proxy instead of the lab. Each exchange becomes one `request` event holding what
 * `observe` read from it (fingerprints, never values), and reading the trace back gives the
 * same observations, so a recorded trace is judged exactly as a HAR of the same traffic is:
 * sessions by client_id and time, flows by device code.
 *
 * What a trace does not keep, and a HAR does: redacted previews (a trace names credentials by
 * fingerprint only) and the fingerprints of values sent to other hosts (a recorder sees only
 * its upstream).
 */
import type { LabEndpoint, RequestEvent } from '../evidence/events.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import { DEVICE_CODE_GRANT, type Observation } from './observe.ts';

/** What a trace says in place of a preview: it holds fingerprints only. */
export const TRACE_PREVIEW = '(from a trace: fingerprint only)';

/** The `request` event of one observed exchange (`seq` is the writer's to give). */
export function requestEventOf(
  observation: Observation,
  t: number,
  durationMs: number,
): Omit<RequestEvent, 'seq'> {
  const endpoint: LabEndpoint =
    observation.kind === 'device_authorization'
      ? 'device_authorization'
      : observation.kind === 'token'
        ? 'token'
        : observation.bearer
          ? 'resource'
          : /\/\.well-known\//.test(observation.path)
            ? 'metadata'
            : /\/revo(?:ke|cation)\/?$/i.test(observation.path)
              ? 'revocation'
              : 'unknown';
  const deviceCode = deviceCodeOf(observation);
  const presented = observation.presented.map(({ kind, fingerprint }) => ({ kind, fingerprint }));
  if (endpoint === 'resource' && observation.bearer) {
    presented.push({ kind: 'access_token', fingerprint: observation.bearer });
  }
  return {
    type: 'request',
    t,
    durationMs,
    method: observation.method,
    path: observation.path,
    host: hostWithPort(observation),
    endpoint,
    ...requestFieldsOf(observation),
    ...(deviceCode && { deviceCode }),
    ...(observation.interval !== undefined && { intervalInForce: observation.interval }),
    ...(observation.expiresIn !== undefined && { expiresIn: observation.expiresIn }),
    status: observation.status,
    outcome: observation.outcome,
    presented,
    issued: observation.issued.map(({ kind, fingerprint }) => ({ kind, fingerprint })),
  };
}

/** The device authorization an exchange belongs to: the code it issued or presented. */
export function deviceCodeOf(observation: Observation): Fingerprint | undefined {
  if (observation.kind === 'device_authorization')
    return observation.issued.find((c) => c.kind === 'device_code')?.fingerprint;
  if (observation.grantType === DEVICE_CODE_GRANT)
    return observation.presented.find((c) => c.kind === 'device_code')?.fingerprint;
  return undefined;
}

/** What a request event says of an observation whatever wrote it (a recorder, a HAR's runs). */
export function requestFieldsOf(
  observation: Observation,
): Pick<
  RequestEvent,
  'grantType' | 'wireGrantType' | 'clientId' | 'scope' | 'scheme' | 'tokenLifetime'
> {
  return {
    ...(observation.grantType !== undefined && { grantType: observation.grantType }),
    ...(observation.wireGrantType !== undefined &&
      observation.wireGrantType !== observation.grantType && {
        wireGrantType: observation.wireGrantType,
      }),
    ...(observation.clientId !== undefined && { clientId: observation.clientId }),
    ...(observation.scope !== undefined && { scope: observation.scope }),
    scheme: observation.scheme,
    ...(observation.tokenLifetime !== undefined && { tokenLifetime: observation.tokenLifetime }),
  };
}

/**
 * The observation a recorded `request` event stands for. `origin` is the wall-clock time of
 * `t = 0` (the trace's `lab-start`), `line` the event's line in the trace file.
 */
export function observationOf(event: RequestEvent, origin: number, line: number): Observation {
  const scheme = event.scheme ?? 'http';
  const [host = '', portText] = splitHost(event.host ?? '');
  const bearer: Fingerprint | undefined =
    event.endpoint === 'resource'
      ? event.presented.find((c) => c.kind === 'access_token')?.fingerprint
      : undefined;
  const kind =
    event.endpoint === 'device_authorization'
      ? 'device_authorization'
      : event.endpoint === 'token'
        ? 'token'
        : 'other';
  const withPreview = (refs: RequestEvent['presented']) =>
    refs.map((ref) => ({ ...ref, preview: TRACE_PREVIEW }));
  return {
    index: event.seq,
    line,
    startedAt: origin + event.t,
    method: event.method,
    scheme,
    host,
    port: portText ? Number(portText) : defaultPort(scheme),
    path: event.path,
    status: event.status,
    kind,
    ...(event.grantType !== undefined && {
      grantType: event.grantType,
      wireGrantType: event.wireGrantType ?? event.grantType,
    }),
    ...(event.clientId !== undefined && { clientId: event.clientId }),
    ...(event.scope !== undefined && { scope: event.scope }),
    outcome: event.outcome,
    ...(event.tokenLifetime !== undefined && { tokenLifetime: event.tokenLifetime }),
    ...(kind === 'device_authorization' &&
      event.intervalInForce !== undefined && { interval: event.intervalInForce }),
    ...(event.expiresIn !== undefined && { expiresIn: event.expiresIn }),
    presented: kind === 'other' ? [] : withPreview(event.presented),
    issued: withPreview(event.issued),
    ...(bearer && { bearer }),
    carried: bearer ? [{ fingerprint: bearer, where: 'header', header: 'authorization' }] : [],
  };
}

function hostWithPort({ host, port, scheme }: Observation): string {
  const name = host.includes(':') ? `[${host}]` : host;
  return port === defaultPort(scheme) ? name : `${name}:${port}`;
}

function defaultPort(scheme: string): number {
  return scheme === 'https' ? 443 : 80;
}

/** `host:port`, `[v6]:port` or a bare host. */
function splitHost(text: string): [string, string | undefined] {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return [bracketed[1] ?? '', bracketed[2]];
  const colon = text.lastIndexOf(':');
  if (colon > 0 && text.indexOf(':') === colon && /^\d+$/.test(text.slice(colon + 1))) {
    return [text.slice(0, colon), text.slice(colon + 1)];
  }
  return [text, undefined];
}
