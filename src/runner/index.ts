import { rm } from 'node:fs/promises';
import type { HarEntry } from '../evidence/har.ts';
import {
  EVIDENCE_VERSION,
  type Evidence,
  type JudgedPolicy,
  type ScenarioRun,
} from '../evidence/model.ts';
import type { Canary, ScenarioName } from '../lab/index.ts';
import type { Policy, TaskPolicy } from '../policy/types.ts';
import { createRunCa } from '../tls/ca.ts';
import { VERSION } from '../version.ts';
import { labSource } from './lab-source.ts';
import { chooseTraceMethod, type ProcessTraceMode } from './process-trace.ts';
import { runScenario, type ScenarioJob } from './run-scenario.ts';
import { createRunFolder } from './sandbox.ts';
import type { EvidenceSource } from './source.ts';

export interface RunOptions {
  /**
   * Keep every scenario's sandbox (its HOME, TMPDIR and working copy) for inspection; each
   * one's folder is handed to `onSandboxKept`. The evidence never holds these paths.
   */
  keepSandbox?: boolean;
  /** Told, as each scenario ends, where its kept sandbox is (only with `keepSandbox`). */
  onSandboxKept?: (task: string, scenario: ScenarioName, path: string) => void;
  verbose?: boolean;
  /** Aborting (Ctrl-C) kills every program, closes every lab, removes every sandbox. */
  signal?: AbortSignal;
  /** Scenarios running at once; each has its own lab and sandbox. Default: all of them. */
  concurrency?: number;
  onProgress?: (task: string, scenario: ScenarioName, state: string) => void;
  /**
   * Handed every canary of a scenario, raw values included, before its lab closes: only for
   * `check --save-canaries`, whose file then holds secrets by design.
   */
  onCanaries?: (canaries: Canary[]) => void;
  /**
   * Handed each exchange of each scenario as a HAR entry, every credential the lab issued
   * replaced by a stand-in: for `check --save-har`. Off by default.
   */
  onExchange?: (task: string, scenario: ScenarioName, entry: HarEntry) => void;
  /** What answers the programs and records what they did. Default: a fresh lab per scenario. */
  source?: EvidenceSource;
  /**
   * Bytes of files each scenario copies from the working directory (default
   * `WORKING_COPY_LIMIT_BYTES`, 128 MiB); past it the program runs in the folder itself.
   */
  workingCopyLimitBytes?: number;
  /**
   * How the processes each program starts are recorded for `secret-in-argv`: `auto` (default)
   * uses strace where it can trace and samples /proc where not; `strace` fails the run (exit 3)
   * where strace cannot trace; `sample`; `off`.
   */
  processTrace?: ProcessTraceMode;
}

/** Runs every (task, scenario) of the policy and returns the evidence. */
export async function runCheck(policy: Policy, options: RunOptions = {}): Promise<Evidence> {
  const signal = options.signal ?? new AbortController().signal;
  // One CA per check run, in memory, permitting exactly the hosts the tasks play.
  // Intercepting other destinations needs a CA that may sign for any host: name constraints
  // only when every task refuses them (README: the trade-off).
  // Made together: the CA, the choice of process recorder (a probe of strace) and the folder;
  // when one fails, the folder does not stay behind.
  const [caMade, traceChosen, folderMade] = await Promise.allSettled([
    createRunCa({
      hosts: [...new Set(policy.tasks.flatMap((t) => t.hosts ?? []))],
      constrained: policy.tasks.every((task) => task.egress?.mode === 'refuse'),
    }),
    chooseTraceMethod(options.processTrace ?? 'auto'),
    createRunFolder(),
  ]);
  if (
    caMade.status === 'rejected' ||
    traceChosen.status === 'rejected' ||
    folderMade.status === 'rejected'
  ) {
    if (folderMade.status === 'fulfilled')
      await rm(folderMade.value, { recursive: true, force: true });
    const failed = [caMade, traceChosen, folderMade].find((made) => made.status === 'rejected');
    throw (failed as PromiseRejectedResult).reason;
  }
  const ca = caMade.value;
  const processTrace = traceChosen.value;
  const runFolder = folderMade.value;
  const jobs: ScenarioJob[] = [];
  for (const [i, task] of policy.tasks.entries()) {
    for (const scenario of policy.scenarios) {
      jobs.push({
        scenario,
        task,
        nextTask: policy.tasks[i + 1] ?? task,
        clientId: task.clientId ?? policy.clientId,
        interval: policy.interval,
        ca,
        source: options.source ?? labSource,
        runFolder,
        keepSandbox: options.keepSandbox ?? false,
        processTrace,
        ...(options.workingCopyLimitBytes !== undefined && {
          workingCopyLimitBytes: options.workingCopyLimitBytes,
        }),
        verbose: options.verbose ?? false,
        signal,
        onProgress: (state) => options.onProgress?.(task.name, scenario, state),
        ...(options.onCanaries && { onCanaries: options.onCanaries }),
        ...(options.onExchange && {
          onExchange: (entry: HarEntry) => options.onExchange?.(task.name, scenario, entry),
        }),
        ...(options.onSandboxKept && {
          onSandboxKept: (path: string) => options.onSandboxKept?.(task.name, scenario, path),
        }),
      });
    }
  }
  const createdAt = new Date().toISOString();
  let runs: ScenarioRun[];
  try {
    runs = await pool(jobs, options.concurrency ?? jobs.length, async (job) => {
      const run = await runScenario(job);
      options.onProgress?.(job.task.name, job.scenario, 'done');
      return run;
    });
  } finally {
    if (!options.keepSandbox) await rm(runFolder, { recursive: true, force: true, maxRetries: 3 });
  }
  return {
    evidenceVersion: EVIDENCE_VERSION,
    tool: { name: 'devicebound', version: VERSION },
    createdAt,
    policy: judgedPolicy(policy),
    runs,
  };
}

/** Runs `work` over `items`, at most `limit` at once, results in input order. All settle before it rejects. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return results;
}

export function judgedPolicy(policy: Policy): JudgedPolicy {
  return {
    source: policy.source ?? null,
    failOn: policy.failOn,
    clientId: policy.clientId,
    tasks: policy.tasks.map((task) => {
      const { name, run, scopes, session, refresh, storage, timeoutMs, cwd, source } = task;
      const { preset, dialect, hosts, requestedScopes, egress, maxTokenLifetimeMs, shown } = task;
      return {
        ...{ name, run, scopes, session, refresh, storage, timeoutMs, cwd, source },
        // v2 fields only where they say something, so generic runs save what they always did.
        ...(preset !== undefined && { preset }),
        ...(dialect !== undefined && dialect !== 'generic' && { dialect }),
        ...(hosts !== undefined && hosts.length > 0 && { hosts }),
        ...(requestedScopes !== undefined && { requestedScopes }),
        ...(maxTokenLifetimeMs !== undefined && { maxTokenLifetimeMs }),
        ...(shown !== undefined && { shown }),
        ...(egress !== undefined &&
          (egress.mode !== 'intercept' || egress.allow.length > 0) && { egress }),
      };
    }),
  };
}

/** A task policy for judging: what the evidence saved, with nothing to run. */
export function taskPolicyFrom(task: JudgedPolicy['tasks'][number]): TaskPolicy {
  return { ...task, env: {}, stdin: undefined };
}

export { PROCESS_TRACE_MODES, type ProcessTraceMode } from './process-trace.ts';
export type { EvidenceSource, ScenarioSource, SourceRequest } from './source.ts';
export { WORKING_COPY_LIMIT_BYTES } from './working-copy.ts';
export type { ScenarioRun };
