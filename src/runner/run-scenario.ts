import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HarEntry } from '../evidence/har.ts';
import type {
  CanaryHit,
  CanaryRecord,
  FileRecord,
  Invocation,
  RootName,
  ScenarioRun,
} from '../evidence/model.ts';
import type { Canary, ScenarioName } from '../lab/index.ts';
import type { TaskPolicy } from '../policy/types.ts';
import type { RunCa } from '../tls/ca.ts';
import { findCanaries } from './artifacts.ts';
import { type NetworkEnvironment, programEnvironment } from './environment.ts';
import { lastWords } from './last-words.ts';
import { gracePeriodMs } from './plan.ts';
import { processRecord, processRecorder, type TraceMethod } from './process-trace.ts';
import { killRun } from './processes.ts';
import { runProgram } from './program.ts';
import { withoutCoreDumps } from './resolve-command.ts';
import { createSandbox, type Sandbox } from './sandbox.ts';
import { changedFiles, type Snapshot, snapshot } from './snapshot.ts';
import type { EvidenceSource, ScenarioSource } from './source.ts';
import { copyWorkingDirectory, type WorkingCopy, workingCopyPath } from './working-copy.ts';

export interface ScenarioJob {
  scenario: ScenarioName;
  task: TaskPolicy;
  /** The task the `session` scenario runs second (the policy's next task, or the same one). */
  nextTask: TaskPolicy;
  clientId: string;
  interval: number | undefined;
  /** The run's certificate authority (one per `check` run, kept in memory). */
  ca: RunCa;
  /** What answers the program and records what it did (the lab, for `check`). */
  source: EvidenceSource;
  /** The folder holding every sandbox of this `check` run (see `createRunFolder`). */
  runFolder: string;
  keepSandbox: boolean;
  /** See `RunOptions.workingCopyLimitBytes`. */
  workingCopyLimitBytes?: number;
  /** How the processes the program starts are recorded (chosen once per check run). */
  processTrace: TraceMethod;
  verbose: boolean;
  signal: AbortSignal;
  /** Told when something worth showing on a progress line happens. */
  onProgress?: (message: string) => void;
  /** See `RunOptions.onCanaries`. */
  onCanaries?: (canaries: Canary[]) => void;
  /** See `RunOptions.onExchange`. */
  onExchange?: (entry: HarEntry) => void;
  /** Told the sandbox's folder once the scenario is over, when `keepSandbox` keeps it. */
  onSandboxKept?: (path: string) => void;
}

/**
 * Runs one (task, scenario): a fresh source and sandbox, a copy of the working directory in the
 * sandbox, one or two program runs, the evidence.
 */
export async function runScenario(job: ScenarioJob): Promise<ScenarioRun> {
  const sandbox = await createSandbox(job.runFolder, `${job.task.name}-${job.scenario}`);
  const workingCopies = new WorkingCopies(sandbox, job);
  let source: ScenarioSource | undefined;
  try {
    // The first run's working copy and its snapshot are made while the source starts.
    const firstCwd = workingCopies.prepare(job.task.cwd);
    firstCwd.catch(() => {});
    source = await job.source.start({
      scenario: job.scenario,
      task: job.task,
      clientId: job.clientId,
      interval: job.interval,
      ca: job.ca,
      ...(job.onExchange && { onExchange: job.onExchange }),
    });
    const network = await networkFor(source, sandbox, job.ca);
    const tasks = job.scenario === 'session' ? [job.task, job.nextTask] : [job.task];
    const invocations: Invocation[] = [];
    const notes: string[] = [];
    let previous: Record<'HOME' | 'TMPDIR', Snapshot> | undefined;
    for (const [i, task] of tasks.entries()) {
      if (job.signal.aborted) break;
      if (i > 0) await waitForTokensToExpire(source, job.signal);
      job.onProgress?.(i > 0 ? 'second run' : 'running');
      const cwd = i === 0 ? await firstCwd : await workingCopies.prepare(task.cwd);
      const {
        invocation,
        after,
        notes: found,
      } = await invoke(source, sandbox, network, task, i + 1, previous, cwd, job);
      invocations.push(invocation);
      notes.push(...found);
      previous = after;
    }
    return {
      task: job.task.name,
      scenario: job.scenario,
      lab: source.describe(),
      events: [...source.events()],
      canaries: canaryRecords(source, invocations),
      invocations,
      notes,
    };
  } finally {
    if (source) {
      job.onCanaries?.(source.canaries());
      await source.close();
    }
    await workingCopies.settled();
    if (job.keepSandbox) job.onSandboxKept?.(sandbox.base);
    else await sandbox.remove();
  }
}

/** Where one program run happens: its working directory and how it looked just before. */
interface PreparedCwd {
  copy: WorkingCopy;
  before: Snapshot;
  /** The copy's notes, for the first run that uses it only. */
  notes: string[];
}

/**
 * The working directories of one scenario's tasks, each copied once into the sandbox (the
 * `session` scenario's second run finds what its first run left there, as it would at home).
 */
class WorkingCopies {
  readonly #copies = new Map<string, Promise<WorkingCopy>>();
  readonly #sandbox: Sandbox;
  readonly #job: ScenarioJob;

  constructor(sandbox: Sandbox, job: ScenarioJob) {
    this.#sandbox = sandbox;
    this.#job = job;
  }

  /** Copies `cwd` unless it was already, and snapshots the copy. */
  async prepare(cwd: string): Promise<PreparedCwd> {
    let copy = this.#copies.get(cwd);
    const first = copy === undefined;
    if (!copy) {
      const n = this.#copies.size + 1;
      const parent = join(this.#sandbox.base, n === 1 ? 'cwd' : `cwd-${n}`);
      copy = copyWorkingDirectory(cwd, workingCopyPath(parent, cwd), {
        skip: new Set([this.#job.runFolder]),
        ...(this.#job.workingCopyLimitBytes !== undefined && {
          limitBytes: this.#job.workingCopyLimitBytes,
        }),
      });
      this.#copies.set(cwd, copy);
    }
    const made = await copy;
    const before = await snapshot(made.path, cwdOptionsFor(this.#job));
    return { copy: made, before, notes: first ? made.notes : [] };
  }

  /** Resolves once no copy is being made any more (before the sandbox is removed). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#copies.values());
  }
}

/**
 * The run CA's certificate goes into the sandbox, beside HOME rather than in it, so it is no
 * file the program made. Only the certificate: the key never leaves memory.
 */
async function networkFor(
  source: ScenarioSource,
  sandbox: Sandbox,
  ca: RunCa,
): Promise<NetworkEnvironment> {
  const folder = join(sandbox.base, 'ca');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const caFile = join(folder, 'devicebound-run-ca.pem');
  await writeFile(caFile, ca.certPem, { mode: 0o644 });
  return { proxy: source.proxy ?? '', caFile };
}

async function invoke(
  source: ScenarioSource,
  sandbox: Sandbox,
  network: NetworkEnvironment,
  task: TaskPolicy,
  index: number,
  previous: Record<'HOME' | 'TMPDIR', Snapshot> | undefined,
  cwd: PreparedCwd,
  job: ScenarioJob,
): Promise<{
  invocation: Invocation;
  after: Record<'HOME' | 'TMPDIR', Snapshot>;
  notes: string[];
}> {
  const runId = randomUUID();
  const workdir = cwd.copy.path;
  const traceFolder = join(sandbox.base, 'trace');
  await mkdir(traceFolder, { recursive: true, mode: 0o700 });
  const recorder = processRecorder(job.processTrace, {
    traceFile: join(traceFolder, `run-${index}.strace`),
    clock: () => source.now(),
  });
  source.mark('invocation-start', { invocation: index, task: task.name });
  const result = await runProgram({
    command: withoutCoreDumps(recorder.command(argvFor(task.run, task.cwd, workdir))),
    cwd: workdir,
    env: programEnvironment({
      source,
      sandbox,
      scenario: job.scenario,
      task: task.name,
      runId,
      extra: task.env,
      network,
    }),
    stdin: task.stdin,
    timeoutMs: task.timeoutMs,
    clock: () => source.now(),
    signal: job.signal,
    verbose: job.verbose,
    onSpawn: ({ pgid, startTicks }) => recorder.started({ runId, pgid, startTicks }),
  });
  source.mark('program-exit', {
    invocation: index,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
  });

  // The source keeps listening: a poller the program left behind is still recorded.
  if (!result.spawnError) {
    await sleep(gracePeriodMs(source.interval), undefined, { signal: job.signal }).catch(() => {});
  }
  const leftovers = await killRun(runId, result.pgid, result.startTicks, (pid) =>
    recorder.isOwn(pid),
  );
  const graceEndedAt = source.now();
  const recorded = await recorder.finish();
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
    snapshot(workdir, cwdOptionsFor(job)),
  ]);
  const after = { HOME: home, TMPDIR: tmp };
  const files: FileRecord[] = [
    ...changedFiles('HOME', previous?.HOME, after.HOME),
    ...changedFiles('TMPDIR', previous?.TMPDIR, after.TMPDIR),
    ...changedFiles('cwd', cwd.before, cwdAfter),
  ];
  const roots: Record<RootName, string> = { ...sandbox.dirs, cwd: workdir };
  const search = await findCanaries({
    canaries: source.canaries(),
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
    processes: processRecord(job.processTrace.method, recorded, source.canaries()),
  };
  if (result.exitCode !== 0 || result.timedOut) {
    const said = lastWords(result.stderr?.content(), source.canaries());
    if (said !== undefined) invocation.said = said;
  }
  const notes = [
    ...cwd.notes,
    ...after.HOME.notes.map((note) => `~/${note}`),
    ...after.TMPDIR.notes.map((note) => `$TMPDIR/${note}`),
    ...cwdAfter.notes.filter((note) => !cwd.before.notes.includes(note)).map((note) => `./${note}`),
    ...search.notes,
    ...(recorded.note === undefined ? [] : [recorded.note]),
  ];
  if (result.stdout?.truncated || result.stderr?.truncated) {
    notes.push('output was larger than 16 MiB per stream; only the first 16 MiB were searched');
  }
  return { invocation, after, notes };
}

/**
 * The working directory is walked without `.git`, `node_modules` and devicebound's own run
 * folder (which only a working directory that was not copied can hold).
 */
/**
 * The command as it runs in the scenario's copy of the working directory. An argument that is a
 * relative path (`./x`, `../x`) leading out of the working directory would not exist beside the
 * copy: it is made absolute against the real folder. Paths inside it stay relative, so the
 * program runs (and writes) its own copy.
 */
export function argvFor(run: readonly string[], original: string, workdir: string): string[] {
  if (original === workdir) return [...run];
  return run.map((arg) => {
    if (!/^\.\.?\//.test(arg)) return arg;
    const target = resolve(original, arg);
    const inside = relative(original, target);
    return inside.startsWith('..') || isAbsolute(inside) ? target : arg;
  });
}

function cwdOptionsFor(job: ScenarioJob) {
  return { skipVendored: true, skip: new Set([job.runFolder]) };
}

function summary(stream: { bytes: number; lines: number; truncated: boolean } | undefined) {
  return stream
    ? { bytes: stream.bytes, lines: stream.lines, truncated: stream.truncated }
    : { bytes: 0, lines: 0, truncated: false };
}

/** The session scenario's second run starts once every token of the first has expired. */
async function waitForTokensToExpire(source: ScenarioSource, signal: AbortSignal): Promise<void> {
  const lastIssued = Math.max(
    0,
    ...source
      .canaries()
      .filter((c) => c.kind === 'access_token')
      .map((c) => c.issuedAt),
  );
  const wait = lastIssued + source.tokenTtl * 1000 + 250 - source.now();
  if (wait > 0) await sleep(wait, undefined, { signal }).catch(() => {});
}

function canaryRecords(source: ScenarioSource, invocations: Invocation[]): CanaryRecord[] {
  return source.canaries().map((canary) => {
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
