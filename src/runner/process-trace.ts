/**
 * Records every program the program under test starts, with its argv and environment, so that
 * `secret-in-argv` can judge what it handed to its children.
 *
 * - `strace` (exact): the program runs under `strace -D -f --seccomp-bpf -e trace=execve,execveat`.
 *   Every successful exec is written down at the moment it happens, so a child that lives for a
 *   millisecond is recorded as surely as one that lives for a minute. `-D` keeps the program the
 *   direct child of the runner (its exit code, signals and process group are its own) and runs
 *   the tracer as a detached grandchild, which ends once every tracee has; `--seccomp-bpf` stops
 *   the tracee at execve only, not at every system call. Strings are written in hex (`-xx`), so
 *   no quoting in an argument can confuse the parser.
 * - `sample` (partial): without a usable strace, /proc is read every `SAMPLE_MS` for the run's
 *   processes (process group and run marker) and each new one's cmdline and environ are kept.
 *   A child that starts and ends between two samples is missed; the record says so.
 * - `off`: nothing is recorded; the record says so.
 *
 * Raw argv and environments stay in memory (sample) or in a 0600 file in the sandbox beside HOME
 * (strace) only until they have been searched: the file is deleted before the scenario ends,
 * kept sandbox or not. What leaves is names, counts and canary fingerprints.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { HarnessError } from '../errors.ts';
import type { ProcessHit, ProcessRecord, StartedProcess } from '../evidence/model.ts';
import { buildNeedles, type CanaryInput } from '../search/needles.ts';
import { searchBuffer } from '../search/search.ts';
import { findRunProcesses, processName } from './processes.ts';
import { findExecutable } from './resolve-command.ts';

export const PROCESS_TRACE_MODES = ['auto', 'strace', 'sample', 'off'] as const;
export type ProcessTraceMode = (typeof PROCESS_TRACE_MODES)[number];

/** How often the /proc fallback looks for new processes. */
export const SAMPLE_MS = 10;

/** Started processes kept in the record without a finding (all with one are kept). */
const KEPT_WITHOUT_HITS = 100;

/** One exec as recorded: raw, never saved. */
export interface RawExec {
  pid: number;
  /** Lab time (ms) the exec happened (strace) or was first seen (sample). */
  at: number | undefined;
  path: string;
  argv: Buffer[];
  env: Buffer[];
}

/** How this run's processes are recorded. */
export type TraceMethod =
  | { method: 'strace'; strace: string; flags: string[] }
  | { method: 'sample'; reason: string }
  | { method: 'off'; reason: string };

const STRACE_FLAGS = [
  '-D',
  '-f',
  '-qq',
  '-e',
  'trace=execve,execveat',
  '-e',
  'signal=none',
  '-v',
  '-xx',
  '-s',
  '65536',
  '-ttt',
];

let probed: Promise<TraceMethod> | undefined;

/**
 * Chooses how to record processes: strace where it is installed and allowed to trace (ptrace
 * may be forbidden by a container's seccomp profile or Yama), with `--seccomp-bpf` where the
 * kernel allows it; else sampling /proc. Probed once per process.
 */
export function chooseTraceMethod(mode: ProcessTraceMode): Promise<TraceMethod> {
  if (mode === 'off') {
    return Promise.resolve({ method: 'off', reason: 'process recording was turned off' });
  }
  if (mode === 'sample') {
    return Promise.resolve({ method: 'sample', reason: 'sampling was asked for' });
  }
  probed ??= probeStrace();
  return probed.then((found) => {
    if (mode === 'strace' && found.method !== 'strace') {
      throw new HarnessError(
        'process-trace',
        `processes cannot be traced with strace: ${(found as { reason: string }).reason}`,
      );
    }
    return found;
  });
}

async function probeStrace(): Promise<TraceMethod> {
  const strace = findExecutable('strace');
  if (!strace) {
    return { method: 'sample', reason: 'strace is not installed' };
  }
  // The cheapest program there is (a Node start-up would cost ~150 ms more per check run).
  const program = findExecutable('true');
  const command = program ? [program] : [process.execPath, '-e', '0'];
  const trial = (flags: string[]) =>
    new Promise<string | undefined>((resolve) => {
      execFile(
        strace,
        [...flags, '-o', '/dev/null', '--', ...command],
        { timeout: 10_000, env: { PATH: process.env.PATH ?? '' } },
        (error, _stdout, stderr) => {
          resolve(error ? firstLine(stderr) || error.message : stderr.trim() || undefined);
        },
      );
    });
  const withBpf = ['--seccomp-bpf', ...STRACE_FLAGS];
  if ((await trial(withBpf)) === undefined) return { method: 'strace', strace, flags: withBpf };
  const problem = await trial(STRACE_FLAGS);
  if (problem === undefined) return { method: 'strace', strace, flags: STRACE_FLAGS };
  return { method: 'sample', reason: `strace cannot trace here (${problem})` };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

/** Records one program run's processes. Make one per run; `finish()` once, after it is over. */
export interface ProcessRecorder {
  /** The command to spawn in place of `command`. */
  command(command: string[]): string[];
  /** Called once the program has been spawned. */
  started(run: { runId: string; pgid: number | undefined; startTicks: number | undefined }): void;
  /** Whether a process of the run is the recorder's own (the detached tracer). */
  isOwn(pid: number): boolean;
  /** Stops recording and returns what was seen; removes any trace file. */
  finish(): Promise<{ execs: RawExec[]; note: string | undefined }>;
}

export function processRecorder(
  method: TraceMethod,
  options: { traceFile: string; clock: () => number },
): ProcessRecorder {
  switch (method.method) {
    case 'strace':
      return new StraceRecorder(method, options.traceFile, options.clock);
    case 'sample':
      return new SampleRecorder(method.reason, options.clock);
    case 'off':
      return {
        command: (command) => command,
        started: () => {},
        isOwn: () => false,
        finish: async () => ({ execs: [], note: `processes were not recorded (${method.reason})` }),
      };
  }
}

class StraceRecorder implements ProcessRecorder {
  readonly #method: Extract<TraceMethod, { method: 'strace' }>;
  readonly #file: string;
  readonly #clock: () => number;
  /** Wall-clock ms minus lab ms, to put strace's times on the lab's clock. */
  #offset = 0;
  #tracers = new Set<number>();

  constructor(
    method: Extract<TraceMethod, { method: 'strace' }>,
    file: string,
    clock: () => number,
  ) {
    this.#method = method;
    this.#file = file;
    this.#clock = clock;
  }

  command(command: string[]): string[] {
    this.#offset = Date.now() - this.#clock();
    return [this.#method.strace, ...this.#method.flags, '-o', this.#file, '--', ...command];
  }

  started(): void {}

  isOwn(pid: number): boolean {
    if (this.#tracers.has(pid)) return true;
    try {
      // The detached tracer is strace itself; a strace the program started would be traced.
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      const own =
        /^TracerPid:\s+0$/m.test(status) &&
        readFileSync(`/proc/${pid}/cmdline`).includes(Buffer.from(`\0${this.#file}\0`));
      if (own) this.#tracers.add(pid);
      return own;
    } catch {
      return false;
    }
  }

  async finish(): Promise<{ execs: RawExec[]; note: string | undefined }> {
    try {
      const execs = await parseStraceFile(this.#file, (epochMs) => epochMs - this.#offset);
      return { execs, note: undefined };
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      return { execs: [], note: `the process trace could not be read (${reason})` };
    } finally {
      await rm(this.#file, { force: true });
    }
  }
}

/**
 * Reads strace's `-f -ttt -xx -v` output: `PID SECONDS execve("\x..", ["\x..", …], [ …]) = 0`.
 * A call interrupted by another process's line is split into `… <unfinished ...>` and
 * `PID SECONDS <... execve resumed>) = 0`; its arguments are on the first part. Only
 * successful execs count: a failed one (a PATH search) started nothing.
 */
export async function parseStraceFile(
  file: string,
  toLab: (epochMs: number) => number,
): Promise<RawExec[]> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  return parseStraceLines(lines, toLab);
}

export async function parseStraceLines(
  lines: AsyncIterable<string> | Iterable<string>,
  toLab: (epochMs: number) => number,
): Promise<RawExec[]> {
  const execs: RawExec[] = [];
  const pending = new Map<number, RawExec>();
  for await (const line of lines) {
    const head = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line);
    if (!head) continue;
    const pid = Number(head[1]);
    const at = toLab(Number(head[2]) * 1000);
    const rest = head[3] ?? '';
    const resumed = /^<\.\.\. execve(?:at)? resumed>.*\)\s+=\s+(-?\d+)/.exec(rest);
    if (resumed) {
      const exec = pending.get(pid);
      pending.delete(pid);
      if (exec && resumed[1] === '0') execs.push(exec);
      continue;
    }
    const call = /^(execve|execveat)\((.*)$/.exec(rest);
    if (!call) continue;
    const args = parseCall(call[2] ?? '', call[1] === 'execveat');
    if (!args) continue;
    const exec: RawExec = { pid, at, ...args };
    if (/<unfinished \.\.\.>\s*$/.test(rest)) {
      pending.set(pid, exec);
      continue;
    }
    const result = /\)\s+=\s+(-?\d+)(?:\s.*)?$/.exec(rest);
    if (result?.[1] === '0') execs.push(exec);
  }
  return execs;
}

/** The path, argv and envp of one call's text (after the opening parenthesis). */
function parseCall(
  text: string,
  at: boolean,
): { path: string; argv: Buffer[]; env: Buffer[] } | undefined {
  let i = 0;
  if (at) {
    const comma = text.indexOf(',');
    if (comma < 0) return undefined;
    i = comma + 1;
  }
  const path = readString(text, skipSpace(text, i));
  if (!path) return undefined;
  i = path.end;
  const argv = readArray(text, text.indexOf('[', i));
  const env = argv ? readArray(text, text.indexOf('[', argv.end)) : undefined;
  return {
    path: path.value.toString('utf8'),
    argv: argv?.values ?? [],
    env: env?.values ?? [],
  };
}

function skipSpace(text: string, i: number): number {
  while (text[i] === ' ') i++;
  return i;
}

/** `"\x61\x62"` (and a trailing `...` when strace cut it) at `i`. */
function readString(text: string, i: number): { value: Buffer; end: number } | undefined {
  if (text[i] !== '"') return undefined;
  const close = text.indexOf('"', i + 1);
  if (close < 0) return undefined;
  const hex = text.slice(i + 1, close).replaceAll('\\x', '');
  if (!/^[0-9a-f]*$/i.test(hex)) return undefined;
  let end = close + 1;
  if (text.startsWith('...', end)) end += 3;
  return { value: Buffer.from(hex, 'hex'), end };
}

/** `["\x..", "\x.."]` at `i`; an address strace could not read gives nothing. */
function readArray(text: string, i: number): { values: Buffer[]; end: number } | undefined {
  if (i < 0 || text[i] !== '[') return undefined;
  const values: Buffer[] = [];
  let j = i + 1;
  for (;;) {
    j = skipSpace(text, j);
    if (text[j] === ']') return { values, end: j + 1 };
    const item = readString(text, j);
    if (!item) {
      // `...` for an array strace abbreviated, or something unreadable: stop at the bracket.
      const close = text.indexOf(']', j);
      return close < 0 ? undefined : { values, end: close + 1 };
    }
    values.push(item.value);
    j = skipSpace(text, item.end);
    if (text[j] === ',') j++;
  }
}

class SampleRecorder implements ProcessRecorder {
  readonly #reason: string;
  readonly #clock: () => number;
  readonly #seen = new Map<string, RawExec>();
  #timer: NodeJS.Timeout | undefined;
  #run: { runId: string; pgid: number | undefined; startTicks: number | undefined } | undefined;

  constructor(reason: string, clock: () => number) {
    this.#reason = reason;
    this.#clock = clock;
  }

  command(command: string[]): string[] {
    return command;
  }

  started(run: { runId: string; pgid: number | undefined; startTicks: number | undefined }): void {
    this.#run = run;
    void this.#sample();
  }

  isOwn(): boolean {
    return false;
  }

  async #sample(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    for (const { pid } of await findRunProcesses(run.runId, run.pgid, run.startTicks)) {
      try {
        const argv = splitNul(readFileSync(`/proc/${pid}/cmdline`));
        const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
        const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
        const digest = createHash('sha256');
        for (const arg of argv) digest.update(arg).update('\0');
        const key = `${pid}:${started}:${digest.digest('hex')}`;
        if (this.#seen.has(key) || argv.length === 0) continue;
        this.#seen.set(key, {
          pid,
          at: this.#clock(),
          path: processName(pid),
          argv,
          env: splitNul(readFileSync(`/proc/${pid}/environ`)),
        });
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
    this.#timer = setTimeout(() => void this.#sample(), SAMPLE_MS);
  }

  async finish(): Promise<{ execs: RawExec[]; note: string | undefined }> {
    clearTimeout(this.#timer);
    const run = this.#run;
    this.#run = undefined;
    return {
      execs: [...this.#seen.values()],
      note:
        run === undefined
          ? undefined
          : `processes were sampled from /proc every ${SAMPLE_MS} ms (${this.#reason}): a child ` +
            'that started and ended between two samples is missing, so secret-in-argv may be partial',
    };
  }
}

function splitNul(buffer: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buffer.length; i++) {
    if (buffer[i] === 0) {
      parts.push(buffer.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < buffer.length) parts.push(buffer.subarray(start));
  return parts;
}

/**
 * Searches every recorded argv and environment for every canary, in every encoding the canary
 * search knows, and keeps names, counts and fingerprints only. An environment hit names its
 * variable, unless the canary is in the name itself.
 */
export function processRecord(
  method: TraceMethod['method'],
  recorded: { execs: RawExec[]; note: string | undefined },
  canaries: readonly CanaryInput[],
): ProcessRecord {
  const needles = canaries.length > 0 ? buildNeedles(canaries) : undefined;
  const started: StartedProcess[] = [];
  let withoutHits = 0;
  for (const exec of recorded.execs) {
    const hits: ProcessHit[] = [];
    if (needles) {
      exec.argv.forEach((arg, index) => {
        for (const hit of searchBuffer(arg, needles)) {
          hits.push({ ...hitOf(hit), where: 'argv', index });
        }
      });
      for (const entry of exec.env) {
        const found = searchBuffer(entry, needles);
        if (found.length === 0) continue;
        const equals = entry.indexOf(0x3d);
        const name = equals > 0 ? entry.subarray(0, equals).toString('utf8') : undefined;
        for (const hit of found) {
          const inName = equals < 0 || hit.offset < equals;
          hits.push({ ...hitOf(hit), where: 'env', ...(!inName && name && { variable: name }) });
        }
      }
    }
    if (hits.length === 0 && ++withoutHits > KEPT_WITHOUT_HITS) continue;
    started.push({
      pid: exec.pid,
      ...(exec.at !== undefined && { at: Math.max(0, Math.round(exec.at)) }),
      name: basename(exec.path) || '?',
      argc: exec.argv.length,
      envc: exec.env.length,
      hits: dedupe(hits),
    });
  }
  return {
    method,
    ...(recorded.note !== undefined && { note: recorded.note }),
    count: recorded.execs.length,
    started,
  };
}

function hitOf(hit: ReturnType<typeof searchBuffer>[number]) {
  return {
    canary: hit.canary,
    kind: hit.kind,
    preview: hit.preview,
    encoding: hit.encoding,
  };
}

function dedupe(hits: ProcessHit[]): ProcessHit[] {
  const seen = new Set<string>();
  return hits.filter((hit) => {
    const key = [hit.canary, hit.encoding, hit.where, hit.index, hit.variable].join('\0');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
