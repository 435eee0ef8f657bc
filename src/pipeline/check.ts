/**
 * The pipeline of `check` (and of `demo`) as library calls: run → judge → report. The CLI only
 * parses flags and writes what these return; another front end (an Action, a test, `analyze`
 * later) composes the same calls.
 */
import { judge } from '../checks/index.ts';
import type { Finding } from '../checks/types.ts';
import { UsageError } from '../errors.ts';
import type { Evidence, JudgedPolicy } from '../evidence/model.ts';
import type { Severity } from '../findings/severity.ts';
import type { Policy, TaskPolicy } from '../policy/types.ts';
import { buildReport, type Report } from '../report/model.ts';
import { judgedPolicy, type RunOptions, runCheck, taskPolicyFrom } from '../runner/index.ts';

export interface Judged {
  evidence: Evidence;
  findings: Finding[];
  report: Report;
}

/**
 * Judges evidence under a policy: the one it was made with (saved in the evidence) unless
 * another is given. A task of the evidence that the policy lacks is a usage error.
 */
export function judgeEvidence(
  evidence: Evidence,
  options: { policy?: JudgedPolicy; failOn?: Severity } = {},
): Judged {
  const policy = options.policy ?? evidence.policy;
  const tasks = new Map<string, TaskPolicy>(
    policy.tasks.map((task) => [task.name, taskPolicyFrom(task)]),
  );
  const findings = judge(evidence, (name) => {
    const task = tasks.get(name);
    if (!task) {
      throw new UsageError(`the policy has no task '${name}', which the evidence has`, {
        field: 'tasks',
      });
    }
    return task;
  });
  const report = buildReport(evidence, findings, {
    source: policy.source ?? undefined,
    failOn: options.failOn ?? policy.failOn,
  });
  return { evidence, findings, report };
}

/** Runs every (task, scenario) of the policy, then judges what was seen. */
export async function checkPolicy(
  policy: Policy,
  options: RunOptions & { failOn?: Severity } = {},
): Promise<Judged> {
  const evidence = await runCheck(policy, options);
  return judgeEvidence(evidence, {
    policy: judgedPolicy(policy),
    ...(options.failOn !== undefined && { failOn: options.failOn }),
  });
}

/**
 * The exit code of a judged run (DESIGN.md): 1 for findings at or above `fail_on`; 3 when no
 * scenario reached the lab, since nothing was checked and a CI gate must not pass it; else 0.
 */
export function exitCodeOf(report: Report): 0 | 1 | 3 {
  if (!report.summary.passed) return 1;
  return report.summary.inconclusive ? 3 : 0;
}

/** Several judged runs as one (the demo checks each sample under its own policy). */
export function mergeEvidence(parts: readonly Evidence[]): Evidence {
  const [first, ...rest] = parts;
  if (!first) throw new Error('nothing to merge');
  return {
    ...first,
    policy: { ...first.policy, tasks: parts.flatMap((part) => part.policy.tasks) },
    runs: [first.runs, ...rest.map((part) => part.runs)].flat(),
  };
}
