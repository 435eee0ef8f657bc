/**
 * The checks engine: every check by id, and `judge()`, which runs each on every run of the
 * evidence and turns violations into findings. Pure: evidence and policy in, findings out.
 */
import type { Evidence } from '../evidence/model.ts';
import { CAPTURE_SCENARIO, SCENARIOS } from '../evidence/names.ts';
import type { TaskPolicy } from '../policy/types.ts';
import { check as autoRestart } from './auto-restart.ts';
import { check as errorBackoff } from './error-backoff.ts';
import { check as excessScope } from './excess-scope.ts';
import { check as insecureTransport } from './insecure-transport.ts';
import { check as longLivedToken } from './long-lived-token.ts';
import { check as pollAfterTerminal } from './poll-after-terminal.ts';
import { check as pollInterval } from './poll-interval.ts';
import { check as pollSlowDown } from './poll-slow-down.ts';
import { check as refreshIssued } from './refresh-issued.ts';
import { check as secretAtRest } from './secret-at-rest.ts';
import { check as secretInArgv } from './secret-in-argv.ts';
import { check as secretInOutput } from './secret-in-output.ts';
import { check as secretInTelemetry } from './secret-in-telemetry.ts';
import { check as sessionReuse } from './session-reuse.ts';
import { check as silentRefresh } from './silent-refresh.ts';
import { check as slowDownAbort } from './slow-down-abort.ts';
import { CHECK_IDS, type Check, type CheckContext, type CheckId, type Finding } from './types.ts';
import { check as uncleanExit } from './unclean-exit.ts';
import { check as unexpectedEgress } from './unexpected-egress.ts';

/** Every check by id, in `CHECK_IDS` order. */
export const checks: Readonly<Record<CheckId, Check>> = {
  'poll-interval': pollInterval,
  'poll-slow-down': pollSlowDown,
  'poll-after-terminal': pollAfterTerminal,
  'auto-restart': autoRestart,
  'error-backoff': errorBackoff,
  'unclean-exit': uncleanExit,
  'excess-scope': excessScope,
  'secret-at-rest': secretAtRest,
  'secret-in-output': secretInOutput,
  'session-reuse': sessionReuse,
  'silent-refresh': silentRefresh,
  'slow-down-abort': slowDownAbort,
  'secret-in-telemetry': secretInTelemetry,
  'unexpected-egress': unexpectedEgress,
  'secret-in-argv': secretInArgv,
  'long-lived-token': longLivedToken,
  'refresh-issued': refreshIssued,
  'insecure-transport': insecureTransport,
};

/**
 * The checks that traffic alone decides (`analyze`): polling, restarts, scopes, refresh and
 * credentials sent to other hosts. The others need the program itself (its files, output,
 * child processes, exit) and are listed as not decidable for a run rebuilt from a capture.
 */
export const TRAFFIC_CHECKS: readonly CheckId[] = [
  'poll-interval',
  'poll-slow-down',
  'poll-after-terminal',
  'auto-restart',
  'error-backoff',
  'excess-scope',
  'silent-refresh',
  'session-reuse',
  'slow-down-abort',
  'secret-in-telemetry',
  'long-lived-token',
  'refresh-issued',
  'insecure-transport',
];

/**
 * Checks of traffic the lab itself shapes: its tokens live as the scenario says, it issues
 * refresh tokens by default and speaks http on loopback. They judge captures only.
 */
export const CAPTURE_ONLY_CHECKS: readonly CheckId[] = [
  'long-lived-token',
  'refresh-issued',
  'insecure-transport',
];

/** The checks a run can be judged by: every one for a lab run, the traffic ones for a capture. */
export function checksFor(run: { scenario: string }): readonly CheckId[] {
  return run.scenario === CAPTURE_SCENARIO
    ? TRAFFIC_CHECKS
    : CHECK_IDS.filter((id) => !CAPTURE_ONLY_CHECKS.includes(id));
}

/**
 * Runs every check on every run (for a capture, the ones traffic decides). Findings come sorted by task, then scenario (in `SCENARIOS`
 * order), then check (in `CHECK_IDS` order); one finding per check and run at most.
 */
export function judge(evidence: Evidence, policyFor: (task: string) => TaskPolicy): Finding[] {
  const findings: Finding[] = [];
  for (const run of evidence.runs) {
    const context: CheckContext = { run, policy: policyFor(run.task), policyFor };
    for (const id of checksFor(run)) {
      const check = checks[id];
      const violation = check.evaluate(context);
      if (!violation) continue;
      findings.push({
        check: id,
        severity: violation.severity ?? check.meta.severity,
        scenario: run.scenario,
        task: run.task,
        message: violation.message,
        evidence: violation.evidence,
        standards: [...check.meta.standards],
        fix: check.meta.fix,
      });
    }
  }
  const scenarioOrder = (scenario: string) =>
    scenario === CAPTURE_SCENARIO
      ? SCENARIOS.length
      : (SCENARIOS as readonly string[]).indexOf(scenario);
  return findings.sort(
    (a, b) =>
      compare(a.task, b.task) ||
      scenarioOrder(a.scenario) - scenarioOrder(b.scenario) ||
      CHECK_IDS.indexOf(a.check) - CHECK_IDS.indexOf(b.check),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export { CHECK_IDS, type Check, type CheckId, type Finding } from './types.ts';
