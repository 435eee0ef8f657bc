import type { HitLocation, ScenarioRun } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import type { BaseFinding, Severity } from '../findings/index.ts';
import type { TaskPolicy } from '../policy/types.ts';

export const CHECK_IDS = [
  'poll-interval',
  'poll-slow-down',
  'poll-after-terminal',
  'auto-restart',
  'error-backoff',
  'unclean-exit',
  'excess-scope',
  'secret-at-rest',
  'secret-in-output',
  'session-reuse',
  'silent-refresh',
  'slow-down-abort',
  'secret-in-telemetry',
  'unexpected-egress',
  'secret-in-argv',
  'long-lived-token',
  'refresh-issued',
  'insecure-transport',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** What a check is, in the style of an eslint rule's `meta`. */
export interface CheckMeta {
  id: CheckId;
  severity: Severity;
  /** One line, starting with Require / Disallow / Enforce. */
  description: string;
  /** Standards it maps to: `RFC 8628 §3.5`, `NHI7:2025`, `CSF PR.AA-05`, … (DESIGN.md). */
  standards: string[];
  /** What to change in the program, in one or two sentences. */
  fix: string;
}

/** One piece of evidence behind a finding: what happened, when, where; never a raw secret. */
export interface EvidenceItem {
  summary: string;
  /** Time on the source's clock (lab ms); messages quote it from the program's start. */
  at?: number;
  /** The trace event (`seq`) this item is about, so reports can point at the very request. */
  seq?: number;
  kind?: CanaryKind;
  fingerprint?: Fingerprint;
  preview?: string;
  location?: HitLocation;
}

/** What `evaluate` returns when the check fires; the engine adds the rest of the finding. */
export interface Violation {
  message: string;
  evidence: EvidenceItem[];
  /** When this violation is less (never more) severe than the check's `meta.severity`. */
  severity?: Severity;
}

/** A check's finding: the base finding, with its places and fingerprints on its evidence. */
export interface Finding extends Violation, BaseFinding {
  check: CheckId;
  severity: Severity;
  scenario: string;
  task: string;
  standards: string[];
  fix: string;
}

export interface CheckContext {
  run: ScenarioRun;
  /** The policy of the run's task. */
  policy: TaskPolicy;
  /** The policy of any task (session runs may run a second task). */
  policyFor(task: string): TaskPolicy;
}

export interface Check {
  meta: CheckMeta;
  /** Pure: no I/O, no clock. `null` when the run stays inside this part of the boundary. */
  evaluate(context: CheckContext): Violation | null;
}
