import { resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { DIALECT_HOSTS, SCENARIOS } from '../evidence/names.ts';
import { normalizeHostName } from '../tls/names.ts';
import { PRESETS, presetNames } from './presets.ts';
import type { RawTask } from './schema.ts';
import {
  DEFAULT_ALLOWED_SCOPES,
  DEFAULT_TIMEOUT_MS,
  type Policy,
  type TaskPolicy,
} from './types.ts';
import { parseDuration } from './values.ts';

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
  const hosts = (task.hosts ?? preset?.hosts ?? [...DIALECT_HOSTS[dialect]]).map((host) =>
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
    egress: {
      mode: task.egress?.mode ?? 'intercept',
      allow: (task.egress?.allow ?? []).map((host) => host.toLowerCase()),
    },
    env: { ...preset?.env, ...task.env },
    scopes: { allow: task.scopes?.allow ?? DEFAULT_ALLOWED_SCOPES },
    session: task.session ?? 'ephemeral',
    refresh: task.refresh ?? 'forbidden',
    storage: task.storage ?? 'none',
    timeoutMs: timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeout),
    ...(task.max_token_lifetime !== undefined && {
      maxTokenLifetimeMs: parseDuration(task.max_token_lifetime),
    }),
    stdin: task.stdin,
    cwd: task.cwd ? resolve(base, task.cwd) : base,
    source,
  };
}

/** A policy of one task, every scenario and the defaults: what a command line or the demo checks. */
export function oneTaskPolicy(task: TaskPolicy): Policy {
  return {
    version: 1,
    clientId: 'devicebound-cli',
    failOn: 'low',
    tasks: [task],
    scenarios: [...SCENARIOS],
    interval: undefined,
    source: undefined,
  };
}
