import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CanaryHit,
  CanaryRecord,
  FileRecord,
  Invocation,
  RootName,
  ScenarioRun,
} from '../evidence/model.ts';
import { type Canary, type Lab, type ScenarioName, startLab } from '../lab/index.ts';
import type { TaskPolicy } from '../policy/types.ts';
import type { RunCa } from '../tls/ca.ts';
import { findCanaries } from './artifacts.ts';
import { type NetworkEnvironment, programEnvironment } from './environment.ts';
import { gracePeriodMs, labOptionsFor } from './plan.ts';
import { killRun } from './processes.ts';
import { runProgram } from './program.ts';
import { createSandbox, type Sandbox } from './sandbox.ts';
import { changedFiles, type Snapshot, snapshot } from './snapshot.ts';

export interface ScenarioJob {
  scenario: ScenarioName;
  task: TaskPolicy;
  /** The task the `session` scenario runs second (the policy's next task, or the same one). */
  nextTask: TaskPolicy;
  clientId: string;
  interval: number | undefined;
  /** The run's certificate authority (one per `check` run, kept in memory). */
  ca: RunCa;
  /** The folder holding every sandbox of this `check` run (see `createRunFolder`). */
  runFolder: string;
  keepSandbox: boolean;
  verbose: boolean;
  signal: AbortSignal;
  /** Told when something worth showing on a progress line happens. */
  onProgress?: (message: string) => void;
  /** See `RunOptions.onCanaries`. */
  onCanaries?: (canaries: Canary[]) => void;
}

/** Runs one (task, scenario): a fresh lab and sandbox, one or two program runs, the evidence. */
export async function runScenario(job: ScenarioJob): Promise<ScenarioRun & { sandbox?: string }> {
  // The first run's working-directory snapshot is taken while the lab starts.
  const firstCwd = snapshot(job.task.cwd, cwdOptionsFor(job));
  firstCwd.catch(() => {});
  const lab = await startLab(
    labOptionsFor(job.scenario, job.clientId, job.interval, { task: job.task, ca: job.ca }),
  );
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await createSandbox(job.runFolder, `${job.task.name}-${job.scenario}`);
    const network = await networkFor(lab, sandbox, job.ca);
    const tasks = job.scenario === 'session' ? [job.task, job.nextTask] : [job.task];
    const invocations: Invocation[] = [];
    const notes: string[] = [];
    let previous: Record<'HOME' | 'TMPDIR', Snapshot> | undefined;
    for (const [i, task] of tasks.entries()) {
      if (job.signal.aborted) break;
      if (i > 0) await waitForTokensToExpire(lab, job.signal);
      job.onProgress?.(i > 0 ? 'second run' : 'running');
      const {
        invocation,
        after,
        notes: found,
      } = await invoke(
        lab,
        sandbox,
        network,
        task,
        i + 1,
        previous,
        job,
        i === 0 ? firstCwd : undefined,
      );
      invocations.push(invocation);
      notes.push(...found);
      previous = after;
    }
    return {
      task: job.task.name,
      scenario: job.scenario,
      lab: describeLab(lab),
      events: [...lab.trace.events],
      canaries: canaryRecords(lab, invocations),
      invocations,
      notes,
      ...(job.keepSandbox && { sandbox: sandbox.base }),
    };
  } finally {
    job.onCanaries?.(lab.canaries());
    await lab.close();
    if (sandbox && !job.keepSandbox) await sandbox.remove();
  }
}

/**
 * The run CA's certificate goes into the sandbox, beside HOME rather than in it, so it is no
 * file the program made. Only the certificate: the key never leaves memory.
 */
async function networkFor(lab: Lab, sandbox: Sandbox, ca: RunCa): Promise<NetworkEnvironment> {
  const folder = join(sandbox.base, 'ca');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const caFile = join(folder, 'devicebound-run-ca.pem');
  await writeFile(caFile, ca.certPem, { mode: 0o644 });
  return { proxy: lab.proxy ?? '', caFile };
}

async function invoke(
  lab: Lab,
  sandbox: Sandbox,
  network: NetworkEnvironment,
  task: TaskPolicy,
  index: number,
  previous: Record<'HOME' | 'TMPDIR', Snapshot> | undefined,
  job: ScenarioJob,
  cwdTaken?: Promise<Snapshot>,
): Promise<{
  invocation: Invocation;
  after: Record<'HOME' | 'TMPDIR', Snapshot>;
  notes: string[];
}> {
  const runId = randomUUID();
  const cwdOptions = cwdOptionsFor(job);
  const cwdBefore =
    cwdTaken && task.cwd === job.task.cwd ? await cwdTaken : await snapshot(task.cwd, cwdOptions);
  lab.mark('invocation-start', { invocation: index, task: task.name });
  const result = await runProgram({
    command: task.run,
    cwd: task.cwd,
    env: programEnvironment({
      lab,
      sandbox,
      scenario: job.scenario,
      task: task.name,
      runId,
      extra: task.env,
      network,
    }),
    stdin: task.stdin,
    timeoutMs: task.timeoutMs,
    clock: () => lab.trace.now(),
    signal: job.signal,
    verbose: job.verbose,
  });
  lab.mark('program-exit', {
    invocation: index,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
  });

  // The lab keeps listening: a poller the program left behind is still recorded.
  if (!result.spawnError) {
    await sleep(gracePeriodMs(lab.settings.interval), undefined, { signal: job.signal }).catch(
      () => {},
    );
  }
  const leftovers = await killRun(runId, result.pgid, result.startTicks);
  const graceEndedAt = lab.trace.now();
  // Output pipes close once every holder is gone; a bounded wait, whose timer must not keep
  // the process alive once they have.
  const pipes = new AbortController();
  await Promise.race([
    Promise.all([result.stdout?.closed, result.stderr?.closed]),
    sleep(1000, undefined, { signal: pipes.signal }).catch(() => {}),
  ]);
  pipes.abort();

  const [home, tmp, cwdAfter] = await Promise.all([
    snapshot(sandbox.dirs.HOME),
    snapshot(sandbox.dirs.TMPDIR),
    snapshot(task.cwd, cwdOptions),
  ]);
  const after = { HOME: home, TMPDIR: tmp };
  const files: FileRecord[] = [
    ...changedFiles('HOME', previous?.HOME, after.HOME),
    ...changedFiles('TMPDIR', previous?.TMPDIR, after.TMPDIR),
    ...changedFiles('cwd', cwdBefore, cwdAfter),
  ];
  const roots: Record<RootName, string> = { ...sandbox.dirs, cwd: task.cwd };
  const search = await findCanaries({
    canaries: lab.canaries(),
    stdout: result.stdout,
    stderr: result.stderr,
    files: files.map((file) => ({ ...file, absolute: join(roots[file.root], file.path) })),
  });
  const hits: CanaryHit[] = search.hits;

  const invocation: Invocation = {
    index,
    task: task.name,
    command: task.run,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    timeoutMs: task.timeoutMs,
    graceEndedAt,
    leftovers: leftovers.map(({ pid, name }) => ({ pid, name })),
    spawnError: result.spawnError,
    output: {
      stdout: summary(result.stdout),
      stderr: summary(result.stderr),
    },
    hits,
    files,
  };
  const notes = [
    ...after.HOME.notes.map((note) => `~/${note}`),
    ...after.TMPDIR.notes.map((note) => `$TMPDIR/${note}`),
    ...cwdAfter.notes.filter((note) => !cwdBefore.notes.includes(note)).map((note) => `./${note}`),
    ...search.notes,
  ];
  if (result.stdout?.truncated || result.stderr?.truncated) {
    notes.push('output was larger than 16 MiB per stream; only the first 16 MiB were searched');
  }
  return { invocation, after, notes };
}

/** The working directory is walked without `.git`, `node_modules` and devicebound's own run folder. */
function cwdOptionsFor(job: ScenarioJob) {
  return { skipVendored: true, skip: new Set([job.runFolder]) };
}

function summary(stream: { bytes: number; lines: number; truncated: boolean } | undefined) {
  return stream
    ? { bytes: stream.bytes, lines: stream.lines, truncated: stream.truncated }
    : { bytes: 0, lines: 0, truncated: false };
}

/** The session scenario's second run starts once every token of the first has expired. */
async function waitForTokensToExpire(lab: Lab, signal: AbortSignal): Promise<void> {
  const lastIssued = Math.max(
    0,
    ...lab
      .canaries()
      .filter((c) => c.kind === 'access_token')
      .map((c) => c.issuedAt),
  );
  const wait = lastIssued + lab.settings.tokenTtl * 1000 + 250 - lab.trace.now();
  if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
}

function canaryRecords(lab: Lab, invocations: Invocation[]): CanaryRecord[] {
  return lab.canaries().map((canary) => {
    const invocation = [...invocations].reverse().find((inv) => inv.startedAt <= canary.issuedAt);
    return {
      kind: canary.kind,
      fingerprint: canary.secret.fingerprint,
      preview: canary.secret.preview,
      issuedAt: canary.issuedAt,
      deviceCode: canary.deviceCode,
      invocation: invocation?.index ?? 1,
    };
  });
}

function describeLab(lab: Lab): ScenarioRun['lab'] {
  const { settings } = lab;
  return {
    issuer: lab.issuer,
    clientId: lab.clientId,
    interval: settings.interval,
    expiresIn: settings.expiresIn,
    tokenTtl: settings.tokenTtl,
    slowDownPolls: [...settings.slowDownPolls],
    faultPolls: Object.fromEntries(settings.faultPolls),
    autoDecision: settings.autoDecision,
    issueRefreshTokens: settings.issueRefreshTokens,
    allowRefresh: settings.allowRefresh,
    ...(settings.dialect !== 'generic' && { dialect: settings.dialect }),
    ...(settings.hosts.length > 0 && { hosts: settings.hosts }),
    ...(settings.tls && { tls: true }),
  };
}
