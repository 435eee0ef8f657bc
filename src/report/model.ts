import type { CheckId, Finding } from '../checks/types.ts';
import type { Evidence, HitLocation } from '../evidence/model.ts';
import { displayPath } from '../evidence/paths.ts';
import { identityHash, isFailing, SEVERITIES, type Severity } from '../findings/index.ts';
import { type LaterSignIn, laterSignIns } from './session.ts';

/**
 * The command as the user would write it: what the task says it shows, else its argv with an
 * interpreter named by its name (`node`, not this machine's path to it) and paths under the
 * working directory relative to it.
 */
export function commandText(task: { run: string[]; shown?: string[]; cwd: string }): string {
  if (task.shown) return task.shown.join(' ');
  const cwd = task.cwd.replace(/\/+$/, '');
  return task.run
    .map((arg, i) => {
      if (i === 0 && /^\/.*\/(?:node|nodejs|python3?(?:\.\d+)?|bash|sh|deno|bun)$/.test(arg))
        return arg.slice(arg.lastIndexOf('/') + 1);
      if (cwd !== '' && arg.startsWith(`${cwd}/`)) return arg.slice(cwd.length + 1);
      return arg;
    })
    .join(' ');
}

/**
 * Why a scenario in which no request reached the lab has nothing judged, as every report says
 * it: killed at its timeout before it asked anything, or failed first in its own words, or
 * (when nothing says more) not pointed at the lab.
 */
export function noContactReason(scenario: ScenarioSummary): string {
  if (scenario.timedOut)
    return 'the program was killed at its timeout before it asked anything: it may wait for a browser or for input, or be too old for this sign-in';
  if (scenario.said !== undefined)
    return `the program failed first, saying: ${scenario.said.split('\n').join(' / ')}`;
  return 'does the program read DEVICEBOUND_ISSUER (or --env MYCLI_URL={issuer})?';
}

/**
 * A check finding's identity from run to run (SARIF `partialFingerprints`, OCSF
 * `finding_info.uid`): the check, task, scenario and where the evidence was (credential kinds,
 * files, streams). Not the canaries' fingerprints, which are new random values in every run,
 * nor times, lines or byte offsets, which move with timing and output.
 */
export function findingIdentity(finding: Finding): string {
  const anchors = [
    ...new Set(finding.evidence.map((item) => `${item.kind ?? ''}@${anchorOf(item.location)}`)),
  ].sort();
  return identityHash([finding.check, finding.task, finding.scenario, ...anchors]);
}

function anchorOf(location: HitLocation | undefined): string {
  if (!location) return '';
  if (location.type === 'stream') return location.stream;
  return displayPath(location.root, location.path);
}

/** One (task, scenario) as reports show it. */
export interface ScenarioSummary {
  scenario: string;
  task: string;
  /** Exit code of the program's last run in this scenario (`null` when killed or not started). */
  exitCode: number | null;
  /** Wall time of the program's runs, ms. */
  durationMs: number;
  timedOut: boolean;
  /** The program could not be started. */
  spawnError?: string;
  findings: number;
  passed: boolean;
  /** The program never talked to the lab: most likely it does not read DEVICEBOUND_ISSUER. */
  noLabContact: boolean;
  /**
   * v2, with `noLabContact`: the last lines the failed run wrote to stderr, in its own words
   * (credentials and long token-like values withheld), which usually say why.
   */
  said?: string;
  /** Rebuilt from a capture (`analyze`): no program ran, so no exit code or duration. */
  fromCapture?: { requests: number };
  /** In `session`: how each later run signed in. */
  laterSignIns?: LaterSignIn[];
  /**
   * v2: every destination outside the played hosts the program tried to reach (version checks,
   * telemetry, update servers), intercepted or refused by the egress proxy; absent when there was none.
   */
  egress?: EgressDestination[];
}

/** One destination the egress proxy refused, with how often it was tried. */
export interface EgressDestination {
  host: string;
  port: number;
  scheme: 'http' | 'https' | 'unknown';
  attempts: number;
  /** Lab time of the first attempt, ms. */
  firstAt: number;
}

/** The destinations a run's program tried and the proxy refused, in the order first tried. */
export function egressOf(run: Evidence['runs'][number]): EgressDestination[] {
  const byKey = new Map<string, EgressDestination>();
  for (const event of run.events) {
    if (event.type !== 'egress') continue;
    const key = `${event.host}:${event.port}`;
    const seen = byKey.get(key);
    if (seen) seen.attempts += 1;
    else
      byKey.set(key, {
        host: event.host,
        port: event.port,
        scheme: event.scheme,
        attempts: 1,
        firstAt: event.t,
      });
  }
  return [...byKey.values()];
}

/** What every reporter renders. The stable fields are DESIGN.md's JSON report. */
export interface Report {
  tool: { name: 'devicebound'; version: string };
  createdAt: string;
  policy: { source: string | null; failOn: Severity };
  findings: Finding[];
  scenarios: ScenarioSummary[];
  summary: {
    passed: boolean;
    /** No scenario produced a single request to the lab: nothing was really checked. */
    inconclusive: boolean;
    findings: number;
    bySeverity: Record<Severity, number>;
    byCheck: Partial<Record<CheckId, number>>;
  };
  /** Kept for reporters that draw timelines; never holds a secret. */
  evidence: Evidence;
}

export function buildReport(
  evidence: Evidence,
  findings: Finding[],
  policy: { source: string | undefined; failOn: Severity },
): Report {
  const failing = findings.filter((finding) => isFailing(finding, policy.failOn));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byCheck: Partial<Record<CheckId, number>> = {};
  for (const finding of findings) {
    bySeverity[finding.severity] += 1;
    byCheck[finding.check] = (byCheck[finding.check] ?? 0) + 1;
  }
  const scenarios = evidence.runs.map((run): ScenarioSummary => {
    const egress = egressOf(run);
    const last = run.invocations.at(-1);
    const count = failing.filter((f) => f.task === run.task && f.scenario === run.scenario).length;
    const spawnError = run.invocations.find((inv) => inv.spawnError)?.spawnError;
    const noLabContact = !run.events.some((event) => event.type === 'request');
    const said = run.invocations.findLast((inv) => inv.said !== undefined)?.said;
    return {
      scenario: run.scenario,
      task: run.task,
      exitCode: last?.exitCode ?? null,
      durationMs: Math.round(
        run.invocations.reduce((sum, inv) => sum + (inv.endedAt - inv.startedAt), 0),
      ),
      timedOut: run.invocations.some((inv) => inv.timedOut),
      ...(spawnError !== undefined && { spawnError }),
      findings: count,
      passed: count === 0,
      noLabContact,
      ...(noLabContact && said !== undefined && { said }),
      ...(run.invocations.length === 0 && {
        fromCapture: { requests: run.events.filter((event) => event.type === 'request').length },
      }),
      ...(run.invocations.length > 1 && { laterSignIns: laterSignIns(run) }),
      ...(egress.length > 0 && { egress }),
    };
  });
  return {
    tool: evidence.tool,
    createdAt: evidence.createdAt,
    policy: { source: policy.source ?? null, failOn: policy.failOn },
    findings,
    scenarios,
    summary: {
      passed: failing.length === 0,
      inconclusive: scenarios.length > 0 && scenarios.every((s) => s.noLabContact),
      findings: findings.length,
      bySeverity,
      byCheck,
    },
    evidence,
  };
}
