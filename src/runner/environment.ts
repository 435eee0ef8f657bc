import type { Lab } from '../lab/index.ts';
import type { Sandbox } from './sandbox.ts';

/**
 * Variables taken from the caller's environment. Nothing else is: a program under test must not
 * find the auditor's real tokens (GH_TOKEN, AWS_*, …), proxies or config folders.
 */
const PASSED_THROUGH = [
  'PATH',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'LC_MESSAGES',
  'TZ',
  'USER',
  'LOGNAME',
  'SHELL',
  'SYSTEMROOT',
];

/** Fills `{issuer}`, `{host}`, `{port}`, `{client_id}`, `{resource}` in a value. */
export function template(
  value: string,
  lab: Pick<Lab, 'issuer' | 'resource' | 'clientId'>,
): string {
  const url = new URL(lab.issuer);
  const values: Record<string, string> = {
    issuer: lab.issuer,
    host: url.hostname,
    port: url.port,
    client_id: lab.clientId,
    resource: lab.resource,
  };
  return value.replace(
    /\{(issuer|host|port|client_id|resource)\}/g,
    (_, name: string) => values[name] ?? '',
  );
}

/** The environment of the contract (DESIGN.md), plus the task's own, templated. */
export function programEnvironment(options: {
  lab: Pick<Lab, 'issuer' | 'resource' | 'clientId'>;
  sandbox: Sandbox;
  scenario: string;
  task: string;
  runId: string;
  extra: Record<string, string>;
  parent?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const parent = options.parent ?? process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) if (parent[name] !== undefined) env[name] = parent[name];
  Object.assign(env, options.sandbox.dirs, {
    DEVICEBOUND_ISSUER: options.lab.issuer,
    DEVICEBOUND_CLIENT_ID: options.lab.clientId,
    DEVICEBOUND_RESOURCE: options.lab.resource,
    DEVICEBOUND_SCENARIO: options.scenario,
    DEVICEBOUND_TASK: options.task,
    // Marks every process of this run, so ones that leave the process group are still found.
    DEVICEBOUND_RUN_ID: options.runId,
    NO_COLOR: '1',
  });
  for (const [name, value] of Object.entries(options.extra))
    env[name] = template(value, options.lab);
  return env;
}
