/**
 * `analyze` as library calls: captures in, evidence out, judged by the checks that traffic can
 * decide (saved evidence keeps every check), with the policy that says what each session was
 * allowed. The CLI only parses flags and writes the report.
 */

import { readCapture } from '../capture/index.ts';
import { CHECK_IDS, TRAFFIC_CHECKS } from '../checks/index.ts';
import {
  EVIDENCE_VERSION,
  type Evidence,
  type JudgedPolicy,
  type JudgedTask,
} from '../evidence/model.ts';
import { CAPTURE_SCENARIO } from '../evidence/names.ts';
import type { Severity } from '../findings/severity.ts';
import { DEFAULT_ALLOWED_SCOPES, DEFAULT_TIMEOUT_MS, type Policy } from '../policy/types.ts';
import { judgedPolicy } from '../runner/index.ts';
import { VERSION } from '../version.ts';
import { type Judged, judgeEvidence } from './check.ts';

export interface AnalyzeOptions {
  /** The policy the sessions are judged under: a task whose client_id is the session's, or
   * its only task; without one, `allowScope` (default openid profile email). */
  policy?: Policy;
  allowScope?: string[];
  failOn?: Severity;
}

/** The checks a capture cannot decide: they need the program, not its traffic. */
export const NOT_FROM_TRAFFIC = CHECK_IDS.filter((id) => !TRAFFIC_CHECKS.includes(id));

/** Reads every file, rebuilds its device flows and judges them. */
export async function analyzeFiles(
  files: readonly string[],
  options: AnalyzeOptions = {},
): Promise<Judged> {
  const runs: Evidence['runs'] = [];
  const tasks: JudgedTask[] = [];
  const names = new Set<string>();
  for (const file of files) {
    const read = await readCapture(file);
    for (const run of read.runs) {
      // One task per run: a name two captures share gets the file's position.
      let name = run.task;
      for (let n = 2; names.has(name); n++) name = `${run.task} (${n})`;
      names.add(name);
      const savedTask = read.evidence?.policy.tasks.find((task) => task.name === run.task);
      tasks.push(
        savedTask ? { ...savedTask, name } : taskFor(name, run.lab.clientId, file, options),
      );
      if (run.scenario === CAPTURE_SCENARIO) {
        run.notes.push(
          `not decidable from traffic (they need the program itself): ${NOT_FROM_TRAFFIC.join(', ')}`,
        );
      }
      runs.push({ ...run, task: name });
    }
  }
  const policy: JudgedPolicy = {
    source: options.policy?.source ?? null,
    failOn: options.failOn ?? options.policy?.failOn ?? 'low',
    clientId: options.policy?.clientId ?? '',
    tasks,
  };
  const evidence: Evidence = {
    evidenceVersion: EVIDENCE_VERSION,
    tool: { name: 'devicebound', version: VERSION },
    createdAt: new Date().toISOString(),
    policy,
    runs,
  };
  return judgeEvidence(evidence, {
    ...(options.failOn !== undefined && { failOn: options.failOn }),
  });
}

/** The policy of one session: the policy's task for its client_id, its only task, or flags. */
function taskFor(
  name: string,
  clientId: string,
  file: string,
  options: AnalyzeOptions,
): JudgedTask {
  const policyTasks = options.policy ? judgedPolicy(options.policy).tasks : [];
  const matching =
    options.policy?.tasks.find(
      (task) => task.clientId !== undefined && task.clientId === clientId,
    ) ?? (options.policy?.tasks.length === 1 ? options.policy.tasks[0] : undefined);
  const chosen = matching ? policyTasks.find((task) => task.name === matching.name) : undefined;
  if (chosen) return { ...chosen, name, run: [] };
  return {
    name,
    run: [],
    scopes: {
      allow: options.allowScope?.length ? options.allowScope : [...DEFAULT_ALLOWED_SCOPES],
    },
    session: 'ephemeral',
    refresh: 'forbidden',
    storage: 'none',
    timeoutMs: DEFAULT_TIMEOUT_MS,
    cwd: '/',
    source: { file, line: 1 },
  };
}
