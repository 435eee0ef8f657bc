import { spawn } from 'node:child_process';
import { CapturedStream } from './capture.ts';
import { processStartTicks, signalGroup } from './processes.ts';

export interface ProgramOptions {
  command: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdin: string | undefined;
  timeoutMs: number;
  /** The lab's clock, so process times and requests share one timeline. */
  clock: () => number;
  /** Aborting kills the program at once (Ctrl-C). */
  signal?: AbortSignal;
  /** Pass output through live (`--verbose`). */
  verbose?: boolean;
  /** Told the process group and start time as soon as the program is spawned. */
  onSpawn?: (spawned: { pgid: number | undefined; startTicks: number | undefined }) => void;
}

export interface ProgramResult {
  pgid: number | undefined;
  /**
   * When the program started, in the kernel's clock ticks since boot (/proc/PID/stat field 22):
   * no process started before it can be one of its own. Undefined without /proc.
   */
  startTicks: number | undefined;
  startedAt: number;
  endedAt: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  spawnError: string | undefined;
  stdout: CapturedStream | undefined;
  stderr: CapturedStream | undefined;
}

/** After SIGTERM at the timeout, how long a program gets before SIGKILL. */
const TERM_GRACE_MS = 2000;

/**
 * Runs the program under test in its own process group, captures its output with times, and
 * kills the whole group at the timeout (SIGTERM, then SIGKILL). Resolves when the program itself
 * has exited; children it left behind are the caller's business (see `processes.ts`).
 */
export function runProgram(options: ProgramOptions): Promise<ProgramResult> {
  const [file = '', ...args] = options.command;
  const startedAt = options.clock();
  return new Promise((resolve) => {
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    const startTicks = pgid === undefined ? undefined : processStartTicks(pgid);
    options.onSpawn?.({ pgid, startTicks });
    const stdout = child.stdout
      ? new CapturedStream(
          child.stdout,
          options.clock,
          options.verbose ? process.stdout : undefined,
        )
      : undefined;
    const stderr = child.stderr
      ? new CapturedStream(
          child.stderr,
          options.clock,
          options.verbose ? process.stderr : undefined,
        )
      : undefined;
    if (child.stdin && options.stdin !== undefined) {
      child.stdin.on('error', () => {}); // a program that never reads stdin is fine
      child.stdin.end(options.stdin);
    }

    let killTimer: NodeJS.Timeout | undefined;
    const timeout = setTimeout(() => {
      timedOut = true;
      if (pgid === undefined) return;
      signalGroup(pgid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), TERM_GRACE_MS);
    }, options.timeoutMs);
    const abort = () => {
      if (pgid !== undefined) signalGroup(pgid, 'SIGKILL');
    };
    options.signal?.addEventListener('abort', abort, { once: true });
    // Ctrl-C can come while the program is being started: an abort already given fires no
    // event, and the program would run until its timeout.
    if (options.signal?.aborted) abort();

    const finish = (
      result: Omit<
        ProgramResult,
        'pgid' | 'startTicks' | 'startedAt' | 'stdout' | 'stderr' | 'timedOut'
      >,
    ) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', abort);
      resolve({ pgid, startTicks, startedAt, stdout, stderr, timedOut, ...result });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `command not found: ${file}`
          : error.code === 'EACCES'
            ? `permission denied: ${file}`
            : `cannot start ${file}: ${error.code ?? error.message}`;
      finish({ endedAt: options.clock(), exitCode: null, signal: null, spawnError: reason });
    });
    child.on('exit', (code, signal) => {
      finish({ endedAt: options.clock(), exitCode: code, signal, spawnError: undefined });
    });
  });
}
