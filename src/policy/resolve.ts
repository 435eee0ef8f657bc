import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { dialectFor } from '../lab/dialects/index.ts';
import { normalizeHostName } from '../lab/hosts.ts';
import { PRESETS, presetNames } from './presets.ts';
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
  const where = (field: string) => ({
    field: `tasks.${name}.${field}`,
    ...(source && { file: source.file, line: source.line }),
  });
  const preset = task.preset === undefined ? undefined : PRESETS[task.preset];
  if (task.preset !== undefined && !preset) {
    throw new UsageError(
      `unknown preset '${task.preset}'; expected one of ${presetNames().join(', ')}`,
      where('preset'),
    );
  }
  if (task.program !== undefined && !preset)
    throw new UsageError('program only goes with a preset; give run instead', where('program'));
  const program = task.program ?? preset?.program ?? '';
  const run =
    task.run === undefined
      ? (preset?.run.map((arg) => (arg === '{program}' ? program : arg)) ?? [])
      : typeof task.run === 'string'
        ? task.run.split(/\s+/).filter(Boolean)
        : task.run;
  if (run.length === 0)
    throw new UsageError('expected the command to run (run) or a preset', where('run'));
  const dialect = task.dialect ?? preset?.dialect ?? 'generic';
  const hosts = (task.hosts ?? preset?.hosts ?? [...dialectFor(dialect).defaultHosts]).map((host) =>
    normalizeHostName(host, where('hosts')),
  );
  const timeout = task.timeout ?? preset?.timeout;
  const clientId = task.client_id ?? preset?.clientId;
  return {
    name,
    run,
    ...(preset && {
      preset: preset.name,
      requestedScopes: preset.requestedScopes,
      ...(task.run === undefined && { program }),
    }),
    ...(clientId !== undefined && { clientId }),
    dialect,
    hosts: [...new Set(hosts)],
    tls: task.tls ?? preset?.tls ?? false,
    env: { ...preset?.env, ...task.env },
    scopes: { allow: task.scopes?.allow ?? DEFAULT_ALLOWED_SCOPES },
    session: task.session ?? 'ephemeral',
    refresh: task.refresh ?? 'forbidden',
    storage: task.storage ?? 'none',
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout),
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
