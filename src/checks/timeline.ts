/**
 * The shared reading of a run's trace that the checks judge: token polls per device code,
 * which program run (invocation) each request belongs to, device authorizations and their
 * expiry, and who owns each gap between polls (DESIGN.md, judging rules).
 *
 * Everything here is derived from request outcomes, not from lab-only fields such as
 * `intervalInForce`, so evidence from other sources (HAR, proxy captures) is judged alike.
 */

import type { RequestEvent } from '../evidence/events.ts';
import type { Invocation, ScenarioRun } from '../evidence/model.ts';
import { CAPTURE_END_MARKER } from '../evidence/names.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import { honoursInterval } from '../evidence/timing.ts';
import { interval, seconds } from './format.ts';
import type { CheckId, EvidenceItem } from './types.ts';

/** RFC 8628 §3.4 grant type of a device access token request. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** RFC 8628 §3.2: the interval when the device authorization response gives none. */
export const DEFAULT_INTERVAL_SECONDS = 5;

/** RFC 8628 §3.5: each `slow_down` adds 5 s to the interval for that and all later polls. */
export const SLOW_DOWN_STEP_SECONDS = 5;

/**
 * A request that reaches the lab this soon after the program's exit was sent before it: a
 * program may write a last request (a revocation, say) and exit before the lab has read it.
 */
export const EXIT_RACE_MS = 100;

/**
 * 0 s of a run as people read it: when its program first started (or, without one, its first
 * request or decision). Messages quote times from here, as the HTML timeline does; evidence
 * keeps the source's own clock in `at`.
 */
export function timeOrigin(run: ScenarioRun): number {
  const starts = [
    ...run.invocations.map((inv) => inv.startedAt),
    ...run.events.filter((e) => e.type === 'request' || e.type === 'decision').map((e) => e.t),
  ];
  return starts.length > 0 ? Math.min(...starts) : 0;
}

/** `2.1 s`: a time of the run's clock, counted from `timeOrigin(run)`. */
export function clockOf(run: ScenarioRun): (t: number) => string {
  const origin = timeOrigin(run);
  return (t) => seconds(t - origin);
}

/** Every request the lab answered, in time order (ties keep their recorded order). */
export function requestsOf(run: ScenarioRun): RequestEvent[] {
  return run.events
    .filter((event): event is RequestEvent => event.type === 'request')
    .sort((a, b) => a.t - b.t || a.seq - b.seq);
}

/** A device access token request (RFC 8628 §3.4): one poll. */
export function isDevicePoll(event: RequestEvent): boolean {
  return event.endpoint === 'token' && event.grantType === DEVICE_CODE_GRANT;
}

export function isRefreshGrant(event: RequestEvent): boolean {
  return event.endpoint === 'token' && event.grantType === 'refresh_token';
}

/** The device code a request is about: the lab's link, or the code the client presented. */
export function deviceCodeOf(event: RequestEvent): Fingerprint | undefined {
  return event.deviceCode ?? event.presented.find((ref) => ref.kind === 'device_code')?.fingerprint;
}

/** The server's announced polling interval, seconds. */
export function baseInterval(run: ScenarioRun): number {
  return run.lab.interval > 0 ? run.lab.interval : DEFAULT_INTERVAL_SECONDS;
}

// ── Invocations ─────────────────────────────────────────────────────────────────────────────

/** Invocations in the order they started. */
export function invocationsOf(run: ScenarioRun): Invocation[] {
  return [...run.invocations].sort((a, b) => a.startedAt - b.startedAt || a.index - b.index);
}

/**
 * The invocation a lab time belongs to: the last one started at or before `t`. Each owns
 * everything up to the next one's start; the last owns the rest, grace period included, so a
 * poller left behind by one run is charged to that run. `undefined` before the first start.
 */
export function invocationAt(run: ScenarioRun, t: number): Invocation | undefined {
  let owner: Invocation | undefined;
  for (const invocation of invocationsOf(run)) {
    if (invocation.startedAt > t) break;
    owner = invocation;
  }
  return owner;
}

/** The requests of one invocation, in time order. */
export function requestsIn(run: ScenarioRun, invocation: Invocation): RequestEvent[] {
  return requestsOf(run).filter((event) => invocationAt(run, event.t) === invocation);
}

/** True when a request at `t` reached the lab after the invocation's program had ended. */
export function isAfterExit(invocation: Invocation, t: number): boolean {
  return t > invocation.endedAt + EXIT_RACE_MS;
}

/** True when an invocation got a token: a successful token answer, or a working one at the
 * resource (a run that may reuse its session has a token without asking for one). */
export function obtainedToken(run: ScenarioRun, invocation: Invocation): boolean {
  return requestsIn(run, invocation).some(
    (event) =>
      event.outcome === 'success' && (event.endpoint === 'token' || event.endpoint === 'resource'),
  );
}

// ── Device authorizations ───────────────────────────────────────────────────────────────────

export interface DeviceAuthorizationRecord {
  /** 1-based, in the order the run made them. */
  number: number;
  event: RequestEvent;
  deviceCode: Fingerprint;
  /** Lab time the request arrived. */
  at: number;
  /**
   * Lab time its `expires_in` runs out, counted from when the lab finished answering: a client
   * can only start its clock when the answer reaches it (RFC 8628 §3.2), so the time the lab
   * took to answer (tens of milliseconds on a loaded machine) must not count against a client
   * whose last poll goes out at its own deadline.
   */
  expiresAt: number;
  /** The `expires_in` it was given, seconds. */
  expiresIn: number;
  invocation: Invocation | undefined;
}

/** Successful device authorization requests (RFC 8628 §3.1–3.2), in time order. */
export function deviceAuthorizations(run: ScenarioRun): DeviceAuthorizationRecord[] {
  const records: DeviceAuthorizationRecord[] = [];
  for (const event of requestsOf(run)) {
    if (event.endpoint !== 'device_authorization' || event.outcome !== 'success') continue;
    const deviceCode =
      event.deviceCode ?? event.issued.find((ref) => ref.kind === 'device_code')?.fingerprint;
    if (!deviceCode) continue;
    records.push({
      number: records.length + 1,
      event,
      deviceCode,
      at: event.t,
      expiresAt: event.t + event.durationMs + run.lab.expiresIn * 1000,
      expiresIn: run.lab.expiresIn,
      invocation: invocationAt(run, event.t),
    });
  }
  return records;
}

// ── Polls and their answers ─────────────────────────────────────────────────────────────────

/**
 * What a poll's answer means for the next one:
 * - `pending`: `authorization_pending`, poll again after the interval;
 * - `slow-down`: `slow_down`, poll again after the interval plus 5 s;
 * - `transient`: a failed connection, an HTTP 5xx or a token answer cut short (the `fault`
 *   scenario), retry after backing off;
 * - `terminal`: success or any other OAuth error: stop polling this device code.
 */
export type PollAnswer = 'pending' | 'slow-down' | 'transient' | 'terminal';

export function answerOf(event: RequestEvent): PollAnswer {
  if (
    event.outcome === 'server_error_injected' ||
    event.outcome === 'connection_dropped' ||
    event.outcome === 'truncated_response' ||
    event.status === 0 ||
    event.status >= 500
  ) {
    return 'transient';
  }
  if (event.outcome === 'authorization_pending') return 'pending';
  if (event.outcome === 'slow_down') return 'slow-down';
  return 'terminal';
}

/** All polls for one device code, in time order. */
export interface PollSeries {
  deviceCode: Fingerprint;
  /** The device authorization it stems from, when the run made it. */
  authorization: DeviceAuthorizationRecord | undefined;
  polls: RequestEvent[];
  /** `device code 2: ` when the run polled more than one device code, else empty: how
   * summaries name the series. */
  label: string;
}

/** Token polls grouped per device code, in the order the device codes were first seen. */
export function pollSeries(run: ScenarioRun): PollSeries[] {
  const authorizations = new Map(deviceAuthorizations(run).map((a) => [a.deviceCode, a]));
  const series = new Map<Fingerprint, PollSeries>();
  for (const event of requestsOf(run)) {
    if (!isDevicePoll(event)) continue;
    const deviceCode = deviceCodeOf(event);
    if (!deviceCode) continue;
    let entry = series.get(deviceCode);
    if (!entry) {
      const authorization = authorizations.get(deviceCode);
      const label = authorization
        ? `device code ${authorization.number}: `
        : 'unknown device code: ';
      entry = { deviceCode, authorization, polls: [], label };
      series.set(deviceCode, entry);
    }
    entry.polls.push(event);
  }
  const all = [...series.values()];
  if (all.length === 1 && all[0]) all[0].label = '';
  return all;
}

// ── Gaps between polls ──────────────────────────────────────────────────────────────────────

/** The checks that judge the wait between two polls of one device code. */
export type GapOwner = Extract<CheckId, 'poll-interval' | 'poll-slow-down' | 'error-backoff'>;

export interface PollGap {
  series: PollSeries;
  /** The earlier and the later poll, and their 1-based numbers for this device code. */
  from: RequestEvent;
  to: RequestEvent;
  fromNumber: number;
  toNumber: number;
  gapMs: number;
  owner: GapOwner;
  /** `slow_down` answers for this device code up to and including `from`. */
  slowDowns: number;
  /** The interval in force for `to`, seconds: base + 5 s per `slow_down` so far. */
  requiredSeconds: number;
  /** The gap honours `requiredSeconds` (with the one jitter rule, `honoursInterval`). */
  honoured: boolean;
}

/**
 * Every gap between consecutive polls of one device code, with the one check that owns it
 * (DESIGN.md): after a 5xx or a failed connection, `error-backoff`; after a `slow_down`, or
 * once any `slow_down` was answered, `poll-slow-down`; after `authorization_pending` with no
 * `slow_down` yet, `poll-interval`. Gaps after a terminal answer have no owner here: any poll
 * after one belongs to `poll-after-terminal`.
 */
export function pollGaps(run: ScenarioRun): PollGap[] {
  const base = baseInterval(run);
  const gaps: PollGap[] = [];
  for (const series of pollSeries(run)) {
    let slowDowns = 0;
    let ended = false;
    series.polls.forEach((to, index) => {
      const from = series.polls[index - 1];
      if (!from) return;
      const answer = answerOf(from);
      if (answer === 'slow-down') slowDowns += 1;
      ended ||= answer === 'terminal';
      if (ended) return;
      const owner: GapOwner =
        answer === 'transient'
          ? 'error-backoff'
          : answer === 'slow-down' || slowDowns > 0
            ? 'poll-slow-down'
            : 'poll-interval';
      const requiredSeconds = base + SLOW_DOWN_STEP_SECONDS * slowDowns;
      const gapMs = to.t - from.t;
      gaps.push({
        series,
        from,
        to,
        fromNumber: index,
        toNumber: index + 1,
        gapMs,
        owner,
        slowDowns,
        requiredSeconds,
        honoured: honoursInterval(gapMs, requiredSeconds),
      });
    });
  }
  return gaps;
}

/** The gaps a check owns that came sooner than the interval in force, in time order. */
export function earlyGaps(run: ScenarioRun, owner: GapOwner): PollGap[] {
  return pollGaps(run)
    .filter((gap) => gap.owner === owner && !gap.honoured)
    .sort((a, b) => a.to.t - b.to.t);
}

/** The early gap furthest below its interval: the one a message names. */
export function worstGap(gaps: readonly PollGap[]): PollGap | undefined {
  let worst: PollGap | undefined;
  for (const gap of gaps) {
    const ratio = gap.gapMs / (gap.requiredSeconds * 1000);
    if (!worst || ratio < worst.gapMs / (worst.requiredSeconds * 1000)) worst = gap;
  }
  return worst;
}

/** `authorization_pending`, `HTTP 503`, `a dropped connection`: what the lab answered. */
export function answerPhrase(event: RequestEvent): string {
  if (answerOf(event) === 'transient') {
    if (event.outcome === 'truncated_response') return 'a token answer cut short';
    return event.status === 0 ? 'a dropped connection' : `HTTP ${event.status}`;
  }
  return event.outcome;
}

/** One evidence item per early gap: which polls, how far apart, against which interval. */
export function gapEvidence(gaps: readonly PollGap[]): EvidenceItem[] {
  return gaps.map((gap) => ({
    summary:
      `${gap.series.label}poll ${gap.toNumber} came ${seconds(gap.gapMs)} after ` +
      `poll ${gap.fromNumber} (${answerPhrase(gap.from)}); the interval in force was ` +
      `${interval(gap.requiredSeconds)}`,
    at: gap.to.t,
    seq: gap.to.seq,
    kind: 'device_code',
    fingerprint: gap.series.deviceCode,
  }));
}

// ── Polling given up at slow_down ───────────────────────────────────────────────────────────

/**
 * A client may stop polling when its next poll would land this close to the end of
 * `expires_in`: the answer could not come back in time (`devicebound/client` keeps 1 s).
 */
export const EXPIRY_MARGIN_MS = 1000;

/** What a program did instead of polling again after `slow_down`. */
export type AfterSlowDown =
  | { kind: 'exit'; at: number; exitCode: number | null; signal: string | null }
  | { kind: 'restart'; at: number; authorization: DeviceAuthorizationRecord }
  /** A capture: no poll came, and the capture went on past the time it was due. */
  | { kind: 'silence'; at: number };

export interface AbandonedSlowDown {
  series: PollSeries;
  /** The last poll of the device code, answered `slow_down`, and its 1-based number. */
  poll: RequestEvent;
  pollNumber: number;
  /** `slow_down` answers for this device code, this one included. */
  slowDowns: number;
  /** The interval in force for the next poll, seconds: base + 5 s per `slow_down`. */
  requiredSeconds: number;
  /** When the next poll was due. */
  dueAt: number;
  /** The program run that polled; none in a capture. */
  invocation: Invocation | undefined;
  next: AfterSlowDown;
}

/**
 * The device codes a program gave up on at `slow_down` (RFC 8628 §3.5: `slow_down` is a kind of
 * `authorization_pending`; polling goes on at the longer interval), and what it did instead:
 * exited, or started a new device authorization. One reading for every check, so that giving
 * up has exactly one owner (`slow-down-abort`): `unclean-exit` leaves such an exit to it and
 * `auto-restart` such a restart.
 *
 * Not given up: a device code whose last answer was not `slow_down`; one whose next poll would
 * have come after (or within `EXPIRY_MARGIN_MS` of) the end of `expires_in`; a `slow_down` to a
 * poll sent after the program had exited; and, unless it restarted first, a program killed at
 * its timeout or with processes of its run still alive after the grace period (they may still
 * have been waiting to poll; `unclean-exit` reports both).
 */
/** When the capture a run was read from ends, if it is one. */
export function captureEndOf(run: ScenarioRun): number | undefined {
  const marker = run.events.findLast(
    (event) => event.type === 'marker' && event.label === CAPTURE_END_MARKER,
  );
  return marker?.t;
}

export function abandonedSlowDowns(run: ScenarioRun): AbandonedSlowDown[] {
  const base = baseInterval(run);
  const authorizations = deviceAuthorizations(run);
  const abandoned: AbandonedSlowDown[] = [];
  for (const series of pollSeries(run)) {
    const poll = series.polls.at(-1);
    if (!poll || answerOf(poll) !== 'slow-down') continue;
    const answers = series.polls.map(answerOf);
    // A poll after a final answer is `poll-after-terminal`'s; stopping after it is right.
    if (answers.includes('terminal')) continue;
    const invocation = invocationAt(run, poll.t);
    // A capture has no program runs: what came after is read from the traffic alone.
    const captureEnd = run.invocations.length === 0 ? captureEndOf(run) : undefined;
    if (captureEnd === undefined && (!invocation || isAfterExit(invocation, poll.t))) continue;
    // Without its device authorization the code's lifetime is unknown: it may have run out.
    const expiresAt = series.authorization?.expiresAt;
    if (expiresAt === undefined) continue;
    const slowDowns = answers.filter((answer) => answer === 'slow-down').length;
    const requiredSeconds = base + SLOW_DOWN_STEP_SECONDS * slowDowns;
    const dueAt = poll.t + requiredSeconds * 1000;
    if (dueAt > expiresAt - EXPIRY_MARGIN_MS) continue;

    const restart = authorizations.find(
      (authorization) =>
        authorization.at > poll.t &&
        (captureEnd !== undefined ||
          (invocation !== undefined &&
            authorization.invocation === invocation &&
            !isAfterExit(invocation, authorization.at))),
    );
    let next: AfterSlowDown;
    if (restart) {
      next = { kind: 'restart', at: restart.at, authorization: restart };
    } else if (captureEnd !== undefined) {
      // The capture ended before the next poll was due: it may simply not show it.
      if (captureEnd < dueAt) continue;
      next = { kind: 'silence', at: captureEnd };
    } else if (!invocation) {
      continue;
    } else {
      if (invocation.timedOut || invocation.leftovers.length > 0) continue;
      const { endedAt: at, exitCode, signal } = invocation;
      next = { kind: 'exit', at, exitCode, signal };
    }
    abandoned.push({
      series,
      poll,
      pollNumber: series.polls.length,
      slowDowns,
      requiredSeconds,
      dueAt,
      invocation,
      next,
    });
  }
  return abandoned.sort((a, b) => a.poll.t - b.poll.t || a.poll.seq - b.poll.seq);
}
