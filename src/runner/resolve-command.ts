import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { TaskPolicy } from '../policy/types.ts';

/**
 * Refuses a task whose program cannot be started, before any lab or sandbox exists: a typo in
 * a command is a usage error (exit 2), not six scenarios of "exit code null".
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
