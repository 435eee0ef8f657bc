import type { DialectName } from '../lab/dialects/names.ts';
import type { ScenarioName } from '../lab/scenarios.ts';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** One task of the policy, with every default applied. */
export interface TaskPolicy {
  name: string;
  /** argv of the program under test. */
  run: string[];
  /** Extra environment, already templated ({issuer} etc. are filled by the runner). */
  env: Record<string, string>;
  scopes: { allow: string[] };
  /** `reuse`: a later task may use this task's credential without a new device authorization. */
  session: 'ephemeral' | 'reuse';
  refresh: 'forbidden' | 'allowed';
  /** `none`: no credential in any file; `keyring`: only in the OS keyring (never a plain file);
   * a list: file globs where storing is allowed (`~/` is HOME, others relative to cwd). */
  storage: 'none' | 'keyring' | string[];
  timeoutMs: number;
  /** Fed to the program's stdin; closed when absent. */
  stdin: string | undefined;
  /** Working directory; absolute. */
  cwd: string;
  /** Where this task is defined, for messages and SARIF locations. */
  source: { file: string; line: number } | undefined;
  /** The preset the task was made from, if any. */
  preset?: string | undefined;
  /** The preset's program (checked to exist before anything runs). */
  program?: string | undefined;
  /** The client_id the lab expects for this task; the policy's when absent. */
  clientId?: string | undefined;
  /** How the played hosts speak. Default `generic`. */
  dialect?: DialectName;
  /** Host names the lab plays through the egress proxy (lower case). */
  hosts?: string[];
  /** The lab's own issuer listens with TLS. */
  tls?: boolean;
  /** The scopes the program asks for on its own (from its preset), for reports. */
  requestedScopes?: string[];
}

/** The whole policy, with every default applied. */
export interface Policy {
  version: 1;
  clientId: string;
  failOn: Severity;
  tasks: TaskPolicy[];
  scenarios: ScenarioName[];
  /** Base interval for the scenarios, seconds, when the user forces one (tests, quick runs). */
  interval: number | undefined;
  source: string | undefined;
}

/** Scopes a task may ask for when the policy says nothing: identity only. */
export const DEFAULT_ALLOWED_SCOPES = ['openid', 'profile', 'email'];
export const DEFAULT_TIMEOUT_MS = 60_000;
