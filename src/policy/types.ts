import type { JudgedTask } from '../evidence/model.ts';
import type { ScenarioName } from '../evidence/names.ts';
import type { Severity } from '../findings/severity.ts';

/**
 * One task of the policy, with every default applied: what judging reads (`JudgedTask`, saved
 * with the evidence) and what only running needs.
 */
export interface TaskPolicy extends JudgedTask {
  /** Extra environment, already templated ({issuer} etc. are filled by the runner). */
  env: Record<string, string>;
  /** Fed to the program's stdin; closed when absent. */
  stdin: string | undefined;
  /** The preset's program (checked to exist before anything runs). */
  program?: string | undefined;
  /** The client_id the lab expects for this task; the policy's when absent. */
  clientId?: string | undefined;
  /** The lab's own issuer listens with TLS. */
  tls?: boolean;
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
