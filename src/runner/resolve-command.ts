import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { PRESETS, type Preset } from '../policy/presets.ts';
import type { TaskPolicy } from '../policy/types.ts';

/**
 * Refuses a task whose program cannot be started, before any lab or sandbox exists: a typo in
 * a command is a usage error (exit 2), not a scenario after scenario of "exit code null".
 */
export async function assertRunnable(
  task: TaskPolicy,
  path = process.env.PATH ?? '',
): Promise<void> {
  if (task.program !== undefined) {
    const where = task.source
      ? { file: task.source.file, line: task.source.line, field: `tasks.${task.name}.program` }
      : { field: '--program' };
    const found = await assertExecutable(
      task.program,
      task.cwd,
      path,
      where,
      `the ${task.preset} preset runs it`,
    );
    const requires = task.preset ? PRESETS[task.preset]?.requires : undefined;
    if (requires) await assertVersion(task.program, found, requires, path, where);
  }
  const [command] = task.run;
  const where = task.source
    ? { file: task.source.file, line: task.source.line, field: `tasks.${task.name}.run` }
    : {};
  await assertExecutable(command, task.cwd, path, where);
}

async function assertExecutable(
  command: string | undefined,
  cwd: string,
  path: string,
  where: { file?: string; line?: number; field?: string },
  why?: string,
): Promise<string> {
  if (!command) throw new UsageError('the command is empty', where);
  const task = { cwd };
  const candidates = command.includes('/')
    ? [isAbsolute(command) ? command : resolve(task.cwd, command)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      if (!(await stat(candidate)).isFile()) continue;
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  throw new UsageError(
    (command.includes('/')
      ? `'${command}' is not an executable file`
      : `command not found: ${command}`) + (why ? ` (${why}; name another with --program)` : ''),
    where,
  );
}

/**
 * Refuses a preset's program older than the preset needs (AWS CLI version 1 has no `sso login`
 * with sso-session profiles, and a pip-installed one often comes before Debian's on PATH),
 * naming the binary found and every other of the same name on PATH or in the system folders,
 * with its version. The version is read with a bare environment: the user's configuration
 * (`~/.aws`, `AWS_*`) is neither passed nor read.
 */
async function assertVersion(
  program: string,
  found: string,
  requires: NonNullable<Preset['requires']>,
  path: string,
  where: { file?: string; line?: number; field?: string },
): Promise<void> {
  const version = await versionOf(found, requires);
  if (version && atLeast(version.numbers, requires.minimum)) return;
  const others: string[] = [];
  const seen = new Set([await realpath(found).catch(() => found)]);
  const name = basename(program);
  for (const dir of [...path.split(delimiter).filter(Boolean), '/usr/local/bin', '/usr/bin']) {
    const candidate = join(dir, name);
    const real = await realpath(candidate).catch(() => undefined);
    if (!real || seen.has(real)) continue;
    seen.add(real);
    if (
      !(await stat(real).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      continue;
    const other = await versionOf(candidate, requires);
    if (other && atLeast(other.numbers, requires.minimum))
      others.push(
        `${candidate} (${other.text}) is recent enough: name it with --program ${candidate}`,
      );
    else others.push(`${candidate} (${other?.text ?? 'no version found'}) is not either`);
  }
  const shown = version ? version.text : 'no version in its --version output';
  const wanted = `${requires.minimum[0]}.${requires.minimum[1]}`;
  throw new UsageError(
    `${found} is ${shown}, older than the ${wanted} this preset needs: ${requires.why}. ` +
      (others.length > 0
        ? `${others.join('; ')}.`
        : `No other '${name}' was found; install a newer one and name it with --program.`),
    where,
  );
}

async function versionOf(
  executable: string,
  requires: NonNullable<Preset['requires']>,
): Promise<{ text: string; numbers: [number, number] } | undefined> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    LANG: 'C.UTF-8',
    // Version managers' shims (pyenv, asdf) find their versions from the home.
    ...(process.env.HOME !== undefined && { HOME: process.env.HOME }),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  const output = await new Promise<string>((done) => {
    execFile(
      executable,
      requires.args,
      { env, timeout: 30_000, maxBuffer: 64 * 1024, killSignal: 'SIGKILL' },
      (_error, stdout, stderr) => done(`${stdout}\n${stderr}`),
    );
  });
  const match = requires.pattern.exec(output);
  if (!match?.[1] || !match[2]) return undefined;
  const text = output.slice(match.index).split(/\s/)[0] ?? match[0];
  return { text, numbers: [Number(match[1]), Number(match[2])] };
}

function atLeast(version: [number, number], minimum: readonly [number, number]): boolean {
  return version[0] !== minimum[0] ? version[0] > minimum[0] : version[1] >= minimum[1];
}

/**
 * A tool the runner itself uses (strace, prlimit), from PATH or the usual system folders;
 * undefined when it is not installed.
 */
export function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const dir of [...dirs, '/usr/bin', '/bin']) {
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

let prlimit: string | null | undefined;

/**
 * The command with core dumps turned off (soft and hard limit 0, so the program cannot turn
 * them back on), through util-linux's `prlimit` where it is installed: a core always holds the
 * tokens, which would say nothing about the program, and a crash must not leave one in the
 * working copy. Node cannot set a child's rlimits itself. Without prlimit the caller's limit
 * applies (`ulimit -c 0` before `check` does the same).
 */
export function withoutCoreDumps(command: string[]): string[] {
  prlimit ??= findExecutable('prlimit') ?? null;
  return prlimit ? [prlimit, '--core=0:0', '--', ...command] : command;
}
