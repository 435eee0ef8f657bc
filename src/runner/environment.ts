import type { Sandbox } from './sandbox.ts';
import type { ScenarioSource } from './source.ts';

/** What the program is told about the source it signs in against. */
type Endpoints = Pick<ScenarioSource, 'issuer' | 'resource' | 'clientId'>;

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

/** What the program is told about the egress proxy and the run CA. */
export interface NetworkEnvironment {
  /** `http://127.0.0.1:PORT` */
  proxy: string;
  /** Path of the run CA's certificate (PEM) in the sandbox. */
  caFile: string;
}

/**
 * Fills `{issuer}`, `{host}`, `{port}`, `{client_id}`, `{resource}`, `{ca_file}` and `{proxy}`
 * in a value.
 */
export function template(value: string, source: Endpoints, network?: NetworkEnvironment): string {
  const url = new URL(source.issuer);
  const values: Record<string, string> = {
    issuer: source.issuer,
    host: url.hostname,
    port: url.port,
    client_id: source.clientId,
    resource: source.resource,
    ca_file: network?.caFile ?? '',
    proxy: network?.proxy ?? '',
  };
  return value.replace(
    /\{(issuer|host|port|client_id|resource|ca_file|proxy)\}/g,
    (_, name: string) => values[name] ?? '',
  );
}

/**
 * The proxy in every spelling programs read (curl and Python read the lower-case ones first; Go
 * reads both; Node's fetch only with NODE_USE_ENV_PROXY=1), an empty NO_PROXY so nothing goes
 * around it, and the CA in every trust variable: OpenSSL and Go (`SSL_CERT_FILE`, which
 * replaces Go's system roots, as intended: nothing else may be reached anyway), Python
 * requests, Node, curl, git, the AWS CLI.
 */
export function networkVariables(network: NetworkEnvironment): Record<string, string> {
  const proxy = network.proxy;
  const ca = network.caFile;
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    ALL_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    all_proxy: proxy,
    NO_PROXY: '',
    no_proxy: '',
    NODE_USE_ENV_PROXY: '1',
    SSL_CERT_FILE: ca,
    REQUESTS_CA_BUNDLE: ca,
    NODE_EXTRA_CA_CERTS: ca,
    CURL_CA_BUNDLE: ca,
    GIT_SSL_CAINFO: ca,
    AWS_CA_BUNDLE: ca,
    DEVICEBOUND_CA_FILE: ca,
  };
}

/** The environment of the contract (DESIGN.md), plus the task's own, templated. */
export function programEnvironment(options: {
  source: Endpoints;
  sandbox: Sandbox;
  scenario: string;
  task: string;
  runId: string;
  extra: Record<string, string>;
  network?: NetworkEnvironment;
  parent?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const parent = options.parent ?? process.env;
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_THROUGH) if (parent[name] !== undefined) env[name] = parent[name];
  Object.assign(env, options.sandbox.dirs, {
    DEVICEBOUND_ISSUER: options.source.issuer,
    DEVICEBOUND_CLIENT_ID: options.source.clientId,
    DEVICEBOUND_RESOURCE: options.source.resource,
    DEVICEBOUND_SCENARIO: options.scenario,
    DEVICEBOUND_TASK: options.task,
    // Marks every process of this run, so ones that leave the process group are still found.
    DEVICEBOUND_RUN_ID: options.runId,
    NO_COLOR: '1',
  });
  if (options.network) Object.assign(env, networkVariables(options.network));
  for (const [name, value] of Object.entries(options.extra))
    env[name] = template(value, options.source, options.network);
  return env;
}
