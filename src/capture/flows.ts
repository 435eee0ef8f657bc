/**
 * Rebuilds the device flows of a capture from its observations: each device authorization and
 * the token polls, refresh grants and resource calls that belong to it (by device code and
 * issued-token fingerprints), grouped into sessions by identity host, client_id and time. Each
 * session becomes one `ScenarioRun` of scenario `capture`, with no program runs: the checks
 * that traffic can decide judge it like a lab run.
 */
import { basename } from 'node:path';
import type { EgressEvent, LabEvent, RequestEvent } from '../evidence/events.ts';
import type { CanaryRecord, ScenarioRun } from '../evidence/model.ts';
import { CAPTURE_END_MARKER, CAPTURE_SCENARIO, CAPTURE_SITTING_MARKER } from '../evidence/names.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import { BEARER_HEADERS, DEVICE_CODE_GRANT, type Observation } from './observe.ts';
import { deviceCodeOf, requestFieldsOf } from './recorded.ts';

/** A session ends after this long without a request of its own. */
export const SESSION_GAP_MS = 60 * 60 * 1000;

/** RFC 8628 §3.2 defaults when an answer leaves them out. */
const DEFAULT_INTERVAL = 5;
const DEFAULT_EXPIRES_IN = 600;
const SLOW_DOWN_STEP = 5;

/**
 * What a session is: one client_id at one identity host, within one HAR page when the capture
 * has pages (devicebound's own HARs make each scenario run a page).
 */
function keyOf(observation: Observation): string {
  return `${observation.clientId ?? '?'}@${observation.host}\0${observation.page ?? ''}`;
}

interface Session {
  key: string;
  name: string;
  host: string;
  clientId: string | undefined;
  scheme: string;
  observations: Observation[];
  lastAt: number;
  /** Credentials issued to this session, by fingerprint. */
  credentials: Set<Fingerprint>;
  interval: number | undefined;
  expiresIn: number | undefined;
}

export interface CaptureRuns {
  runs: ScenarioRun[];
  /** Entries that were read (for messages). */
  entries: number;
}

/** `observations` in any order; `file` is the capture's path as given (events point into it). */
export function runsFromObservations(
  observations: Observation[],
  file: string,
  /** When the recording ended, epoch ms, if the capture says (default: its last request). */
  endedAt?: number,
): ScenarioRun[] {
  const sorted = [...observations].sort((a, b) => a.startedAt - b.startedAt || a.index - b.index);
  const origin = sorted[0]?.startedAt ?? 0;
  const end = Math.max(endedAt ?? 0, sorted.at(-1)?.startedAt ?? 0);
  const sessions: Session[] = [];
  const byCredential = new Map<Fingerprint, Session>();
  const identityHosts = new Set<string>();

  const sessionFor = (observation: Observation): Session => {
    for (const credential of observation.presented) {
      const known = byCredential.get(credential.fingerprint);
      if (known) return known;
    }
    const key = keyOf(observation);
    const open = sessions.findLast(
      (session) => session.key === key && observation.startedAt - session.lastAt <= SESSION_GAP_MS,
    );
    if (open) return open;
    const count = sessions.filter((s) => s.key === key).length;
    const page = observation.page === undefined ? '' : ` [${observation.page.slice(0, 80)}]`;
    const created: Session = {
      key,
      name: `${observation.clientId ?? 'unknown-client'}@${observation.host}${page}${count > 0 ? `#${count + 1}` : ''}`,
      host: observation.host,
      clientId: observation.clientId,
      scheme: observation.scheme,
      observations: [],
      lastAt: observation.startedAt,
      credentials: new Set(),
      interval: undefined,
      expiresIn: undefined,
    };
    sessions.push(created);
    return created;
  };

  // Pass 1: the flows themselves (identity hosts).
  for (const observation of sorted) {
    if (observation.kind === 'other') continue;
    identityHosts.add(observation.host);
    const session = sessionFor(observation);
    session.observations.push(observation);
    session.lastAt = observation.startedAt;
    if (observation.kind === 'device_authorization' && session.interval === undefined) {
      session.interval = observation.interval;
      session.expiresIn = observation.expiresIn;
    }
    for (const credential of [...observation.issued, ...observation.presented]) {
      session.credentials.add(credential.fingerprint);
      if (!byCredential.has(credential.fingerprint))
        byCredential.set(credential.fingerprint, session);
    }
  }

  // Pass 2: what else the flows' credentials reached: resource calls (the token in
  // Authorization), and anything of a flow sent to a host other than the identity hosts.
  const resources = new Map<Session, Observation[]>();
  const egress = new Map<
    Session,
    { observation: Observation; carried: Observation['carried'] }[]
  >();
  for (const observation of sorted) {
    if (observation.kind !== 'other') continue;
    const owner = observation.bearer ? byCredential.get(observation.bearer) : undefined;
    if (owner) resources.set(owner, [...(resources.get(owner) ?? []), observation]);
    if (identityHosts.has(observation.host)) continue;
    for (const session of sessions) {
      const carried = observation.carried.filter(
        (item) =>
          session.credentials.has(item.fingerprint) &&
          // The token presented to the resource it was issued for is its use, not a leak.
          !(
            owner === session &&
            item.where === 'header' &&
            item.header !== undefined &&
            BEARER_HEADERS.has(item.header)
          ),
      );
      if (carried.length > 0) {
        egress.set(session, [...(egress.get(session) ?? []), { observation, carried }]);
      }
    }
  }

  return sessions.map((session) => {
    const run = runOf(
      session,
      origin,
      resources.get(session) ?? [],
      egress.get(session) ?? [],
      file,
    );
    markSittings(run);
    // Whatever a flow did not do by the end of the recording, the capture can say it did not do
    // (a poll that never came after slow_down); after it, nothing is known.
    run.events.push({
      type: 'marker',
      seq: run.events.length + 1,
      t: Math.max(0, end - origin),
      label: CAPTURE_END_MARKER,
    });
    return run;
  });
}

function runOf(
  session: Session,
  origin: number,
  resources: Observation[],
  egress: { observation: Observation; carried: Observation['carried'] }[],
  file: string,
): ScenarioRun {
  const t = (observation: Observation) => Math.max(0, observation.startedAt - origin);
  const interval = session.interval ?? DEFAULT_INTERVAL;
  const kinds = new Map<Fingerprint, Observation['issued'][number]>();
  const canaries: CanaryRecord[] = [];
  const polls = new Map<Fingerprint, { count: number; slowDowns: number; interval: number }>();
  const flowOf = new Map<Fingerprint, Fingerprint>();

  const timeline = [
    ...session.observations.map((observation) => ({ observation, role: 'flow' as const })),
    ...resources.map((observation) => ({ observation, role: 'resource' as const })),
  ].sort(
    (a, b) =>
      a.observation.startedAt - b.observation.startedAt ||
      a.observation.index - b.observation.index,
  );

  const events: LabEvent[] = [];
  for (const { observation, role } of timeline) {
    const event: Omit<RequestEvent, 'seq'> = {
      type: 'request',
      t: t(observation),
      durationMs: 0,
      method: observation.method,
      path: observation.path,
      host: observation.host,
      endpoint:
        role === 'resource'
          ? 'resource'
          : observation.kind === 'device_authorization'
            ? 'device_authorization'
            : 'token',
      ...requestFieldsOf(observation),
      ...(observation.line > 0 && {
        entry: { file, index: observation.index, line: observation.line },
      }),
      status: observation.status,
      outcome: observation.outcome,
      presented:
        role === 'resource' && observation.bearer
          ? [
              {
                kind: kinds.get(observation.bearer)?.kind ?? 'access_token',
                fingerprint: observation.bearer,
              },
            ]
          : observation.presented.map(({ kind, fingerprint }) => ({ kind, fingerprint })),
      issued: observation.issued.map(({ kind, fingerprint }) => ({ kind, fingerprint })),
    };
    const deviceCode = deviceCodeOf(observation);
    if (deviceCode) event.deviceCode = deviceCode;
    if (observation.kind === 'device_authorization' && deviceCode) {
      polls.set(deviceCode, {
        count: 0,
        slowDowns: 0,
        interval: observation.interval ?? interval,
      });
      event.intervalInForce = observation.interval ?? interval;
    }
    if (observation.grantType === DEVICE_CODE_GRANT && deviceCode) {
      const state = polls.get(deviceCode) ?? { count: 0, slowDowns: 0, interval };
      polls.set(deviceCode, state);
      state.count += 1;
      event.poll = state.count;
      event.intervalInForce = state.interval + SLOW_DOWN_STEP * state.slowDowns;
      if (observation.outcome === 'slow_down') state.slowDowns += 1;
    }
    for (const credential of observation.issued) {
      if (kinds.has(credential.fingerprint)) continue;
      kinds.set(credential.fingerprint, credential);
      const link = credential.kind === 'device_code' ? credential.fingerprint : deviceCode;
      if (link) flowOf.set(credential.fingerprint, link);
      canaries.push({
        kind: credential.kind,
        fingerprint: credential.fingerprint,
        preview: credential.preview,
        issuedAt: t(observation),
        deviceCode: link,
        invocation: 1,
      });
    }
    events.push({ ...event, seq: 0 } as RequestEvent);
  }
  for (const { observation, carried } of egress) {
    const event: EgressEvent = {
      type: 'egress',
      seq: 0,
      t: t(observation),
      method: observation.method,
      scheme:
        observation.scheme === 'https'
          ? 'https'
          : observation.scheme === 'http'
            ? 'http'
            : 'unknown',
      host: observation.host,
      port: observation.port,
      path: observation.path,
      action: 'observed',
      reason: `seen in the capture (entry ${observation.index}): it reached the network`,
      carried: carried.flatMap((item) => {
        const credential = kinds.get(item.fingerprint);
        return credential
          ? [
              {
                kind: credential.kind,
                fingerprint: credential.fingerprint,
                preview: credential.preview,
                encoding: 'raw' as const,
                where: item.where,
                ...(item.header !== undefined && { header: item.header }),
              },
            ]
          : [];
      }),
    };
    events.push(event);
  }
  events.sort((a, b) => a.t - b.t);
  events.forEach((event, i) => {
    event.seq = i + 1;
  });
  const indexes = [
    ...timeline.map((x) => x.observation.index),
    ...egress.map((x) => x.observation.index),
  ];
  return {
    task: session.name,
    scenario: CAPTURE_SCENARIO,
    lab: {
      issuer: `${session.scheme}://${session.host}`,
      clientId: session.clientId ?? '',
      interval,
      expiresIn: session.expiresIn ?? DEFAULT_EXPIRES_IN,
    },
    events,
    canaries,
    invocations: [],
    notes: [
      `from ${basename(file)}: ${indexes.length} entries (${Math.min(...indexes)}–${Math.max(...indexes)})`,
    ],
  };
}

/**
 * Marks where the run's traffic starts again after more than `SESSION_GAP_MS` of silence: a new
 * sitting, as a new program run is in the lab. A credential of an earlier sitting presented in
 * a later one before its own device authorization is `session-reuse`.
 */
function markSittings(run: ScenarioRun): void {
  const starts: number[] = [];
  let last: number | undefined;
  for (const event of run.events) {
    if (event.type !== 'request') continue;
    if (last !== undefined && event.t - last > SESSION_GAP_MS) starts.push(event.t);
    last = event.t;
  }
  if (starts.length === 0) return;
  const markers: LabEvent[] = starts.map((t, i) => ({
    type: 'marker',
    seq: 0,
    t,
    label: CAPTURE_SITTING_MARKER,
    data: { sitting: i + 2 },
  }));
  // A sitting's marker comes before its first request (the sort is stable).
  const events = [...markers, ...run.events].sort((a, b) => a.t - b.t);
  events.forEach((event, i) => {
    event.seq = i + 1;
  });
  run.events = events;
}
