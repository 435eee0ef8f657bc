import { accessSync, constants, statSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
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
    await assertExecutable(
      task.program,
      task.cwd,
      path,
      where,
      `the ${task.preset} preset runs it`,
    );
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
): Promise<void> {
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
      return;
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
