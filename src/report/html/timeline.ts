/**
 * What a scenario's polling timeline shows, in lab time, before any drawing: a lane per device
 * code with its polls and the interval in force after each, the other requests, leaks on the
 * program's output, the program's runs, and the events a reviewer looks for (decisions, device
 * code expiry, exits, end of the grace period).
 *
 * Which polls were early comes from the checks' own reading of the trace (`earlyGaps`), and
 * which requests came too late from the `poll-after-terminal` finding: the picture and the
 * findings cannot disagree.
 */
import { interval, kindName, seconds } from '../../checks/format.ts';
import {
  answerOf,
  baseInterval,
  DEVICE_CODE_GRANT,
  deviceAuthorizations,
  earlyGaps,
  type GapOwner,
  invocationsOf,
  isDevicePoll,
  isRefreshGrant,
  type PollGap,
  pollGaps,
  pollSeries,
  requestsOf,
  SLOW_DOWN_STEP_SECONDS,
  timeOrigin,
} from '../../checks/timeline.ts';
import type { CheckId, Finding } from '../../checks/types.ts';
import type { RequestEvent } from '../../evidence/events.ts';
import type { ScenarioRun } from '../../evidence/model.ts';
import type { Fingerprint } from '../../evidence/secret.ts';

export const GAP_OWNERS: readonly GapOwner[] = ['poll-interval', 'poll-slow-down', 'error-backoff'];

export type MarkKind =
  | 'poll'
  | 'device-authorization'
  | 'resource'
  | 'refresh'
  | 'revocation'
  | 'other'
  /** A credential on stdout/stderr that the secret-in-output finding names. */
  | 'leak'
  /** A credential on stdout/stderr that is no finding: the user code on the prompt. */
  | 'output';

/** How a mark is coloured: by the lab's answer. */
export type Tone = 'pending' | 'slow-down' | 'success' | 'error' | 'fault';

export interface Lane {
  id: string;
  kind: 'program' | 'device-code' | 'other' | 'output';
  label: string;
}

export interface Mark {
  kind: MarkKind;
  /** A request the lab recorded (not something seen on the program's output). */
  request: boolean;
  lane: string;
  t: number;
  tone: Tone;
  outcome: string;
  /** The poll came sooner than the interval in force (per `earlyGaps`). */
  early: boolean;
  /** Named by the `poll-after-terminal` finding: after the end, after expiry or after exit. */
  late: boolean;
  /** Checks whose findings name this request (besides the early-gap checks). */
  findings: CheckId[];
  /** A short word drawn beside the mark (`slow_down`, `503`, `drop`, `late`), if any. */
  tag: string | undefined;
  /** Poll number for its device code, 1-based. */
  poll: number | undefined;
  tooltip: string[];
}

/** The window after a poll in which the next poll would be early. */
export interface Band {
  lane: string;
  from: number;
  to: number;
  seconds: number;
  tooltip: string;
}

/** An early gap between two polls, drawn as a bracket under them. */
export interface Gap {
  lane: string;
  from: number;
  to: number;
  label: string;
  owner: GapOwner;
  tooltip: string;
}

export interface Span {
  invocation: number;
  from: number;
  to: number;
  graceTo: number;
  timedOut: boolean;
  label: string;
}

export type EventKind = 'approved' | 'denied' | 'expiry' | 'exit' | 'grace-end';

export interface TimelineEvent {
  kind: EventKind;
  t: number;
  label: string;
  /** Drawn in the failing colour (a timeout, processes left behind). */
  alarm: boolean;
  tooltip: string;
}

export interface Timeline {
  /** Lab time shown as 0: the first program start (or the first thing recorded). */
  origin: number;
  end: number;
  lanes: Lane[];
  marks: Mark[];
  bands: Band[];
  gaps: Gap[];
  spans: Span[];
  events: TimelineEvent[];
  /** Things that exist but lie outside the drawn range (a device code expiring in 10 min). */
  offChart: string[];
}

/** `+2.5 s`: a lab time relative to the timeline's origin. */
export function relative(t: number, origin: number): string {
  const value = (t - origin) / 1000;
  return `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(1)} s`;
}

export function toneOf(event: RequestEvent): Tone {
  const answer = answerOf(event);
  if (event.injected || answer === 'transient') return 'fault';
  if (event.outcome === 'success') return 'success';
  if (answer === 'pending') return 'pending';
  if (answer === 'slow-down') return 'slow-down';
  return 'error';
}

function kindOf(event: RequestEvent): MarkKind {
  if (isDevicePoll(event)) return 'poll';
  if (isRefreshGrant(event)) return 'refresh';
  switch (event.endpoint) {
    case 'device_authorization':
      return 'device-authorization';
    case 'resource':
      return 'resource';
    case 'revocation':
      return 'revocation';
    default:
      return 'other';
  }
}

const KIND_NAMES: Record<MarkKind, string> = {
  poll: 'token poll',
  'device-authorization': 'device authorization',
  resource: 'protected resource',
  refresh: 'refresh_token grant',
  revocation: 'revocation',
  other: 'request',
  leak: 'secret on output',
  output: 'user code on output',
};

function tagOf(event: RequestEvent): string | undefined {
  if (event.outcome === 'slow_down') return 'slow_down';
  if (event.injected === 'drop' || event.status === 0) return 'drop';
  if (event.injected === 'server-error' || event.status >= 500) return String(event.status);
  if (event.injected === 'truncated') return 'cut short';
  if (event.injected === 'unauthorized') return '401';
  return undefined;
}

/** Lays out one scenario run; `findings` are this run's findings. */
export function buildTimeline(run: ScenarioRun, findings: readonly Finding[]): Timeline {
  const requests = requestsOf(run);
  const invocations = invocationsOf(run);
  const authorizations = deviceAuthorizations(run);
  const series = pollSeries(run);
  const multiple = invocations.length > 1;

  // The same 0 s as the findings' texts (checks/timeline.ts).
  const origin = timeOrigin(run);
  const naturalEnd = Math.max(
    origin + 1000,
    ...invocations.map((inv) => Math.max(inv.endedAt, inv.graceEndedAt)),
    ...requests.map((r) => r.t),
    ...run.events.filter((e) => e.type === 'decision').map((e) => e.t),
  );
  // A device code that expires soon after the end is worth widening the chart for; one that
  // expires ten minutes later is named under it instead.
  const expiryShown = (t: number) => t <= naturalEnd + 0.5 * (naturalEnd - origin);
  const end = Math.max(naturalEnd, ...authorizations.map((a) => a.expiresAt).filter(expiryShown));

  // ── Lanes: the program, one per device code, the rest ──
  const lanes: Lane[] = [{ id: 'program', kind: 'program', label: 'program' }];
  const laneOfCode = new Map<Fingerprint, string>();
  const codes: { code: Fingerprint; number: number | undefined }[] = [];
  for (const a of authorizations) codes.push({ code: a.deviceCode, number: a.number });
  for (const s of series) {
    if (!codes.some((c) => c.code === s.deviceCode))
      codes.push({ code: s.deviceCode, number: undefined });
  }
  codes.forEach(({ code, number }, i) => {
    const id = `code-${i + 1}`;
    laneOfCode.set(code, id);
    const name =
      codes.length === 1 ? 'token polls' : number ? `device code ${number}` : 'unknown code';
    const owner = multiple ? authorizations.find((a) => a.deviceCode === code)?.invocation : null;
    lanes.push({
      id,
      kind: 'device-code',
      label: owner ? `${name} (run ${owner.index})` : name,
    });
  });

  // ── Who says what about which poll ──
  const early = new Map<RequestEvent, PollGap>();
  for (const owner of GAP_OWNERS) for (const gap of earlyGaps(run, owner)) early.set(gap.to, gap);
  // Requests a finding names by time (the request checks give `at: event.t`); early gaps are
  // drawn from `earlyGaps` and leaks from the output, so those checks are left out here.
  const flagged = new Map<number, CheckId[]>();
  const notes = new Map<number, string[]>();
  for (const finding of findings) {
    for (const item of finding.evidence) {
      if (item.at === undefined) continue;
      notes.set(item.at, [...(notes.get(item.at) ?? []), `${finding.check}: ${item.summary}`]);
      if ((GAP_OWNERS as readonly CheckId[]).includes(finding.check)) continue;
      if (finding.check === 'secret-in-output' || finding.check === 'unclean-exit') continue;
      const checks = flagged.get(item.at) ?? [];
      if (!checks.includes(finding.check)) flagged.set(item.at, [...checks, finding.check]);
    }
  }

  // ── Marks ──
  const marks: Mark[] = [];
  let otherLane = false;
  const pollNumber = new Map<RequestEvent, number>();
  for (const s of series) for (const [i, p] of s.polls.entries()) pollNumber.set(p, i + 1);
  for (const event of requests) {
    const kind = kindOf(event);
    const code =
      event.deviceCode ??
      event.presented.find((ref) => ref.kind === 'device_code')?.fingerprint ??
      event.issued.find((ref) => ref.kind === 'device_code')?.fingerprint;
    const codeLane = code === undefined ? undefined : laneOfCode.get(code);
    const lane =
      (kind === 'poll' || (kind === 'device-authorization' && event.outcome === 'success')) &&
      codeLane
        ? codeLane
        : 'other';
    if (lane === 'other') otherLane = true;
    const gap = early.get(event);
    const named = flagged.get(event.t) ?? [];
    const isLate = named.includes('poll-after-terminal');
    const poll = pollNumber.get(event);
    const tag = isLate ? 'late' : named.length > 0 ? named.join(', ') : tagOf(event);
    const tooltip = [
      `${poll ? `poll ${poll}` : KIND_NAMES[kind]} at ${relative(event.t, origin)} (lab ${seconds(event.t)})`,
      `${event.method} ${event.path}${event.grantType && event.grantType !== DEVICE_CODE_GRANT ? ` (${event.grantType})` : ''}`,
      `answer: ${event.status === 0 ? 'connection dropped' : `HTTP ${event.status}`} ${event.outcome}${event.injected ? ` (fault injected by the scenario: ${event.injected})` : ''}`,
    ];
    if (event.intervalInForce !== undefined && kind === 'poll')
      tooltip.push(`interval in force at the lab: ${interval(event.intervalInForce)}`);
    if (event.scope) tooltip.push(`scope: ${event.scope}`);
    const presented = event.presented.map((ref) => kindName(ref.kind));
    if (presented.length > 0) tooltip.push(`presented: ${presented.join(', ')}`);
    const issued = event.issued.map((ref) => kindName(ref.kind));
    if (issued.length > 0) tooltip.push(`issued: ${issued.join(', ')}`);
    if (gap) {
      tooltip.push(
        `EARLY: ${seconds(gap.gapMs)} after poll ${gap.fromNumber}; the interval in force was ${interval(gap.requiredSeconds)} (${gap.owner})`,
      );
    }
    for (const note of notes.get(event.t) ?? []) if (!gap) tooltip.push(note);
    marks.push({
      kind,
      request: true,
      lane,
      t: event.t,
      tone: toneOf(event),
      outcome: event.outcome,
      early: gap !== undefined,
      late: isLate,
      findings: named,
      tag,
      poll,
      tooltip,
    });
  }

  // Canaries on the program's output, when the harness knows when they were written: red when
  // the secret-in-output finding names them, grey otherwise (the user code on the prompt).
  const named = new Set(
    findings
      .filter((f) => f.check === 'secret-in-output')
      .flatMap((f) => f.evidence)
      .flatMap((item) =>
        item.location?.type === 'stream'
          ? [`${item.fingerprint}|${item.location.stream}|${item.location.line}`]
          : [],
      ),
  );
  const outputs = invocations.flatMap((inv) =>
    inv.hits.flatMap((hit) =>
      hit.location.type === 'stream' && hit.location.at !== undefined
        ? [{ hit, at: hit.location.at, stream: hit.location.stream, line: hit.location.line }]
        : [],
    ),
  );
  for (const { hit, at, stream, line } of outputs) {
    const leak = named.has(`${hit.canary}|${stream}|${line}`);
    marks.push({
      kind: leak ? 'leak' : 'output',
      request: false,
      lane: 'output',
      t: at,
      tone: leak ? 'error' : 'pending',
      outcome: hit.kind,
      early: false,
      late: false,
      findings: leak ? ['secret-in-output'] : [],
      tag: leak ? kindName(hit.kind) : undefined,
      poll: undefined,
      tooltip: [
        `${kindName(hit.kind)} written to ${stream}, line ${line}, at ${relative(at, origin)} (lab ${seconds(at)})`,
        leak
          ? "secret-in-output: a credential on the program's output"
          : 'not a finding (the user code belongs on the prompt)',
        `${hit.preview} ${hit.canary}`,
      ],
    });
  }

  if (otherLane) lanes.push({ id: 'other', kind: 'other', label: 'other requests' });
  if (outputs.length > 0) lanes.push({ id: 'output', kind: 'output', label: 'program output' });

  // ── Bands: after every poll that asks for another, the interval the next must wait ──
  const base = baseInterval(run);
  const bands: Band[] = [];
  const gapFrom = new Map(pollGaps(run).map((gap) => [gap.from, gap]));
  for (const s of series) {
    const lane = laneOfCode.get(s.deviceCode) ?? 'other';
    let slowDowns = 0;
    for (const [i, poll] of s.polls.entries()) {
      const answer = answerOf(poll);
      if (answer === 'terminal') break;
      if (answer === 'slow-down') slowDowns += 1;
      const required =
        gapFrom.get(poll)?.requiredSeconds ?? base + SLOW_DOWN_STEP_SECONDS * slowDowns;
      const why =
        slowDowns > 0
          ? `${interval(base)} + ${SLOW_DOWN_STEP_SECONDS} s per slow_down so far`
          : answer === 'transient'
            ? 'at least the interval after an error; back-off recommended'
            : 'the announced interval';
      bands.push({
        lane,
        from: poll.t,
        to: poll.t + required * 1000,
        seconds: required,
        tooltip: `after poll ${i + 1}: wait ${interval(required)} (${why}); a poll before ${relative(poll.t + required * 1000, origin)} is early`,
      });
    }
  }

  const gaps: Gap[] = [...early.values()].map((gap) => ({
    lane: laneOfCode.get(gap.series.deviceCode) ?? 'other',
    from: gap.from.t,
    to: gap.to.t,
    label: `${seconds(gap.gapMs)} < ${interval(gap.requiredSeconds)}`,
    owner: gap.owner,
    tooltip: `poll ${gap.toNumber} came ${seconds(gap.gapMs)} after poll ${gap.fromNumber} (${gap.from.outcome}); the interval in force was ${interval(gap.requiredSeconds)} — ${gap.owner}`,
  }));

  // ── The program's runs and the events around them ──
  const spans: Span[] = invocations
    .filter((inv) => inv.spawnError === undefined)
    .map((inv) => ({
      invocation: inv.index,
      from: inv.startedAt,
      to: inv.endedAt,
      graceTo: Math.max(inv.endedAt, inv.graceEndedAt),
      timedOut: inv.timedOut,
      label: multiple
        ? `run ${inv.index}${inv.task === run.task ? '' : ` (${inv.task})`}`
        : 'running',
    }));

  const events: TimelineEvent[] = [];
  const offChart: string[] = [];
  for (const event of run.events) {
    if (event.type !== 'decision') continue;
    events.push({
      kind: event.decision,
      t: event.t,
      label: event.decision === 'approved' ? 'approved' : 'denied',
      alarm: false,
      tooltip: `${event.decision} by the ${event.by === 'scenario' ? 'scenario' : event.by === 'page' ? 'verification page' : 'lab API'} at ${relative(event.t, origin)} (lab ${seconds(event.t)})`,
    });
  }
  for (const a of authorizations) {
    const name = authorizations.length > 1 ? `code ${a.number} expires` : 'code expires';
    const text = `device code${authorizations.length > 1 ? ` ${a.number}` : ''} expires at ${relative(a.expiresAt, origin)} (expires_in ${run.lab.expiresIn} s)`;
    if (a.expiresAt <= end)
      events.push({ kind: 'expiry', t: a.expiresAt, label: name, alarm: false, tooltip: text });
    else offChart.push(`${text}, after the end of this chart`);
  }
  for (const inv of invocations) {
    if (inv.spawnError !== undefined) continue;
    const who = multiple ? `run ${inv.index} ` : '';
    const exit = inv.timedOut
      ? 'killed at timeout'
      : inv.exitCode === null
        ? `ended by ${inv.signal ?? 'signal'}`
        : `exit ${inv.exitCode}`;
    events.push({
      kind: 'exit',
      t: inv.endedAt,
      label: `${who}${exit}`,
      alarm: inv.timedOut,
      tooltip: `${who}${exit} at ${relative(inv.endedAt, origin)} (lab ${seconds(inv.endedAt)})${inv.timedOut ? `; still running at its timeout (${seconds(inv.timeoutMs)})` : ''}`,
    });
    if (inv.graceEndedAt > inv.endedAt) {
      const left = inv.leftovers.length;
      events.push({
        kind: 'grace-end',
        t: inv.graceEndedAt,
        label: left > 0 ? `${left} process${left === 1 ? '' : 'es'} left` : 'grace ends',
        alarm: left > 0,
        tooltip: `${who}grace period ends at ${relative(inv.graceEndedAt, origin)}: the lab kept listening for requests from anything the program left behind${left > 0 ? `; still alive: ${inv.leftovers.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}` : ''}`,
      });
    }
  }
  events.sort((a, b) => a.t - b.t);
  marks.sort((a, b) => a.t - b.t);

  return { origin, end, lanes, marks, bands, gaps, spans, events, offChart };
}
