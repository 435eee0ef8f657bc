/**
 * The v1 scenarios (DESIGN.md) and v2's `fault` as lab settings. A scenario only supplies defaults: every
 * field can be overridden by an explicit option, so `check`, `serve` and test suites share one
 * definition of what "slow-down" or "server-error" means.
 */
import { type AfterApprovalFault, SCENARIOS, type ScenarioName } from '../evidence/names.ts';

export { SCENARIOS, type ScenarioName };

export function isScenarioName(value: string): value is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(value);
}

/** What the lab does to the Nth token request for one device_code (1-based). */
export type PollFault = 'server-error' | 'drop';

export interface AutoDecision {
  decision: 'approve' | 'deny';
  /** Seconds after the device authorization before the decision may be taken. */
  afterSeconds: number;
  /** Token requests that must have been answered `authorization_pending` first. */
  afterPolls: number;
}

export interface ScenarioDefaults {
  /** The automatic decision; `null` means a person decides (or nobody: the code expires). */
  autoDecision: AutoDecision | null;
  slowDownPolls: number[];
  faultPolls: Partial<Record<number, PollFault>>;
  afterApprovalFaults: AfterApprovalFault[];
  /** device_code lifetime in intervals, when `expiresIn` is not set explicitly. */
  expiresInIntervals: number | null;
  tokenTtl: number | null;
}

/**
 * Decisions come after at least two answered polls so that the gap between polls can be judged
 * in every scenario; the slow-down and server-error scenarios leave polls after the event so
 * that "for this and all later polls" can be judged too. `afterPolls: n` means poll n + 1 is
 * the first that can get the decision.
 */
export function scenarioDefaults(name: ScenarioName, interval: number): ScenarioDefaults {
  const after = (decision: 'approve' | 'deny', afterPolls: number): AutoDecision => ({
    decision,
    afterSeconds: interval,
    afterPolls,
  });
  switch (name) {
    case 'approve':
      return base(after('approve', 2));
    case 'deny':
      return base(after('deny', 2));
    case 'expire':
      return { ...base(null), expiresInIntervals: 4 };
    case 'slow-down':
      return { ...base(after('approve', 3)), slowDownPolls: [2] };
    case 'server-error':
      return { ...base(after('approve', 4)), faultPolls: { 2: 'server-error', 3: 'drop' } };
    case 'session':
      return { ...base(after('approve', 1)), tokenTtl: 2 };
    case 'fault':
      return {
        ...base(after('approve', 2)),
        afterApprovalFaults: ['truncated-token', 'resource-error', 'resource-unauthorized'],
      };
  }
}

function base(autoDecision: AutoDecision | null): ScenarioDefaults {
  return {
    autoDecision,
    slowDownPolls: [],
    faultPolls: {},
    afterApprovalFaults: [],
    expiresInIntervals: null,
    tokenTtl: null,
  };
}
