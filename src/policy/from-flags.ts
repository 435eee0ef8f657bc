import { access } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.ts';
import { SCENARIOS, type ScenarioName } from '../evidence/names.ts';
import type { Severity } from '../findings/severity.ts';
import { PRESETS, presetNames } from './presets.ts';
import { oneTaskPolicy, resolveTask } from './resolve.ts';
import type { Policy } from './types.ts';
import { EGRESS_GLOB, parseDuration } from './values.ts';

export interface PolicyFlags {
  policy?: string;
  command: string[];
  scenario?: ScenarioName[];
  allowScope?: string[];
  /** Host globs the program may contact (`egress.allow`), and `refuse` instead of interception. */
  allowEgress?: string[];
  refuseEgress?: boolean;
  timeout?: string;
  env?: string[];
  clientId?: string;
  failOn?: Severity;
  interval?: number;
  /** `--preset`: one task made from a preset (with `--program` naming its binary). */
  preset?: string;
  program?: string;
}

/**
 * The policy of a `check` run: the file given (or ./devicebound.yaml when no command is), with
 * flags on top; or, with a command and no file, a one-task policy made of flags alone.
 */
export async function policyFromFlags(flags: PolicyFlags, cwd = process.cwd()): Promise<Policy> {
  let file = flags.policy;
  if (flags.program !== undefined && flags.preset === undefined)
    throw new UsageError('--program goes with --preset', { field: '--program' });
  if (flags.preset !== undefined) {
    if (file || flags.command.length > 0) {
      throw new UsageError(
        'give --preset alone, or a policy file whose task says preset:, not both',
        { field: '--preset' },
      );
    }
    const task = presetTask(flags.preset, flags.program, cwd);
    return applyFlags(oneTaskPolicy(task), flags, parseEnvFlags(flags.env ?? []));
  }
  if (!file && flags.command.length === 0) {
    const fallback = resolve(cwd, 'devicebound.yaml');
    if (await exists(fallback)) file = fallback;
    else
      throw new UsageError(
        'give a command after -- (devicebound check -- my-cli login) or a policy with --policy FILE',
      );
  }
  const env = parseEnvFlags(flags.env ?? []);
  let policy: Policy;
  if (file) {
    if (flags.command.length > 0) {
      throw new UsageError('give either a policy file or a command after --, not both');
    }
    // YAML and the schema library load only when there is a file to read.
    const { loadPolicy } = await import('./load.ts');
    policy = await loadPolicy(file);
  } else {
    const name = taskName(flags.command);
    policy = oneTaskPolicy(resolveTask(name, { run: flags.command }, cwd, undefined));
  }
  return applyFlags(policy, flags, env);
}

function presetTask(name: string, program: string | undefined, cwd: string) {
  if (!(name in PRESETS)) {
    throw new UsageError(
      `unknown preset '${name}'; expected one of ${presetNames().join(', ')} (see --list-presets)`,
      { field: '--preset' },
    );
  }
  return resolveTask(
    name,
    { preset: name, ...(program !== undefined && { program }) },
    cwd,
    undefined,
  );
}

function applyFlags(policy: Policy, flags: PolicyFlags, env: Record<string, string>): Policy {
  const timeoutMs = flags.timeout === undefined ? undefined : parseTimeout(flags.timeout);
  return {
    ...policy,
    clientId: flags.clientId ?? policy.clientId,
    failOn: flags.failOn ?? policy.failOn,
    scenarios: flags.scenario?.length
      ? SCENARIOS.filter((scenario) => flags.scenario?.includes(scenario))
      : policy.scenarios,
    interval: flags.interval ?? policy.interval,
    tasks: policy.tasks.map((task) => ({
      ...task,
      env: { ...task.env, ...env },
      // Named scopes are exactly what is allowed, as a policy's `scopes.allow` is: they replace
      // the defaults (and the file's list) rather than add to them.
      scopes: flags.allowScope?.length ? { allow: [...new Set(flags.allowScope)] } : task.scopes,
      ...(timeoutMs !== undefined && { timeoutMs }),
      egress: {
        mode: flags.refuseEgress ? 'refuse' : (task.egress?.mode ?? 'intercept'),
        allow: [
          ...new Set([
            ...(task.egress?.allow ?? []),
            ...(flags.allowEgress ?? []).map((host) => egressGlob(host)),
          ]),
        ],
      },
    })),
  };
}

/** `--allow-egress`: a host name or a `*.domain` glob, lower case. */
function egressGlob(value: string): string {
  const glob = value.trim().toLowerCase();
  if (!EGRESS_GLOB.test(glob))
    throw new UsageError(`expected a host name or a *.domain glob, got '${value.slice(0, 80)}'`, {
      field: '--allow-egress',
    });
  return glob;
}

function parseTimeout(value: string): number {
  let ms: number;
  try {
    ms = parseDuration(value);
  } catch {
    throw new UsageError(`'${value}' is not a duration such as 30s, 2m or 500ms`, {
      field: '--timeout',
    });
  }
  if (ms < 1000 || ms > 3_600_000)
    throw new UsageError('must be from 1s to 1h', { field: '--timeout' });
  return ms;
}

function parseEnvFlags(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!match?.[1])
      throw new UsageError(`expected NAME=VALUE, got '${pair.split('=')[0]}…'`, { field: '--env' });
    env[match[1]] = match[2] ?? '';
  }
  return env;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

const INTERPRETERS =
  /^(node|nodejs|deno|bun|python\d*(\.\d+)?|ruby|perl|php|bash|sh|zsh|java|dotnet|npx|uv|uvx)$/;

/** `my-cli` for `my-cli login`, and for `node my-cli.mjs` or `python3 -m my_cli` too. */
function taskName(command: string[]): string {
  const [first = 'program', ...rest] = command;
  let name = basename(first);
  if (INTERPRETERS.test(name)) {
    const script = rest.find((arg) => !arg.startsWith('-'));
    if (script) name = basename(script).replace(/\.(m?js|cjs|ts|py|rb|pl|php|sh)$/, '');
  }
  return name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64) || 'program';
}
