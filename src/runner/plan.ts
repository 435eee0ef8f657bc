import type { LabOptions, ScenarioName } from '../lab/index.ts';
import type { TaskPolicy } from '../policy/types.ts';
import type { RunCa } from '../tls/ca.ts';

/**
 * The lab settings of each scenario in a `check` run.
 *
 * Intervals differ on purpose. The approve scenario announces 6 s, more than the 5 s default
 * that many clients hard-code, so a client that polls on its own clock instead of the
 * server's is caught; the others use short intervals so the whole suite stays quick. A forced
 * interval (policy `interval`, `--interval`) replaces them all, for quick local runs and tests.
 */
const BASE_INTERVALS: Record<ScenarioName, number> = {
  approve: 6,
  deny: 2,
  expire: 2,
  'slow-down': 1,
  'server-error': 2,
  session: 2,
  fault: 2,
};

/**
 * Every scenario gets an egress proxy (DESIGN.md v2): the task's played hosts are answered by
 * the lab over TLS with the run CA, everything else is refused and recorded.
 */
export function labOptionsFor(
  scenario: ScenarioName,
  clientId: string,
  forcedInterval?: number,
  network?: { task: Pick<TaskPolicy, 'dialect' | 'hosts' | 'tls' | 'egress'>; ca: RunCa },
): LabOptions {
  const options: LabOptions = {
    scenario,
    clientId,
    interval: forcedInterval ?? BASE_INTERVALS[scenario],
  };
  if (!network) return options;
  const { task, ca } = network;
  return {
    ...options,
    dialect: task.dialect ?? 'generic',
    ...(task.hosts && task.hosts.length > 0 && { hosts: task.hosts }),
    tls: task.tls ?? false,
    proxy: true,
    egress: task.egress?.mode ?? 'intercept',
    ca,
  };
}

/** How long the lab keeps listening after the program exits: two intervals, at least 1.5 s. */
export function gracePeriodMs(interval: number): number {
  return Math.max(1500, 2 * interval * 1000);
}
