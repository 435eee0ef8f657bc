import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import type { RawTask } from './schema.ts';
import { DEFAULT_ALLOWED_SCOPES, DEFAULT_TIMEOUT_MS, type TaskPolicy } from './types.ts';

/** `60s`, `2m`, `500ms`, `1h`, or a number of seconds. */
export const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;

export function resolveTask(
  name: string,
  task: RawTask,
  base: string,
  source: { file: string; line: number } | undefined,
): TaskPolicy {
  const run = typeof task.run === 'string' ? task.run.split(/\s+/).filter(Boolean) : task.run;
  return {
    name,
    run,
    env: task.env ?? {},
    scopes: { allow: task.scopes?.allow ?? DEFAULT_ALLOWED_SCOPES },
    session: task.session ?? 'ephemeral',
    refresh: task.refresh ?? 'forbidden',
    storage: task.storage ?? 'none',
    timeoutMs: task.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(task.timeout),
    stdin: task.stdin,
    cwd: task.cwd ? resolve(base, task.cwd) : base,
    source,
  };
}

/** Milliseconds of `30s`, `2m`, `500ms`, `1h` or a number of seconds. */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = DURATION.exec(value.trim());
  if (!match) throw new UsageError(`'${value}' is not a duration such as 30s, 2m or 500ms`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    (match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'
  ];
  return Math.round(Number(match[1]) * unit);
}
