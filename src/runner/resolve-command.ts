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
  const [command] = task.run;
  const where = task.source
    ? { file: task.source.file, line: task.source.line, field: `tasks.${task.name}.run` }
    : {};
  if (!command) throw new UsageError('the command is empty', where);
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
    command.includes('/')
      ? `'${command}' is not an executable file`
      : `command not found: ${command}`,
    where,
  );
}
