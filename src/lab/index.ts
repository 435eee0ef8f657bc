/**
 * `devicebound/lab`: an instrumented RFC 8628 authorization server for tests.
 *
 * ```ts
 * import { startLab } from 'devicebound/lab';
 * const lab = await startLab({ scenario: 'approve', interval: 1 });
 * // point the client at lab.issuer, then inspect lab.trace.events
 * await lab.close();
 * ```
 */

import { UsageError } from '../errors.ts';
import type { Canary } from './canaries.ts';
import { findByUserCode, listen } from './server.ts';
import { type LabOptions, type LabSettings, resolveLabSettings } from './settings.ts';
import type { Trace } from './trace.ts';

export interface Lab {
  /** Base URL, no trailing slash: metadata at `${issuer}/.well-known/oauth-authorization-server`. */
  readonly issuer: string;
  /** Base URL of the protected resource: `GET ${resource}/whoami`. */
  readonly resource: string;
  readonly clientId: string;
  /** URL of the egress proxy (`http://127.0.0.1:PORT`), when started with `proxy: true`. */
  readonly proxy: string | undefined;
  readonly settings: LabSettings;
  /** Every request and decision so far, live (the newest `keepEvents` of them, when given). */
  readonly trace: Trace;
  /** Every credential this lab issued. Values only through `secret.reveal()`. */
  canaries(): Canary[];
  /** Approves a pending device authorization by its user code (any case, dash optional). */
  approve(userCode: string): void;
  /** Denies a pending device authorization by its user code. */
  deny(userCode: string): void;
  /** Adds a marker to the trace (the runner marks where each run starts). */
  mark(label: string, data?: Record<string, string | number | boolean | null>): void;
  /** Stops listening, drops open connections, flushes the trace file. Safe to call twice. */
  close(): Promise<void>;
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const settings = resolveLabSettings(options);
  const { context, close, proxy } = await listen(settings);

  const decide = (userCode: string, decision: 'approved' | 'denied') => {
    const authorization = findByUserCode(context, userCode);
    if (!authorization)
      throw new UsageError('no device authorization has that user code', { field: 'userCode' });
    if (authorization.status !== 'pending') {
      throw new UsageError(`that device authorization is already ${authorization.status}`, {
        field: 'userCode',
      });
    }
    context.decide(authorization, decision, 'api');
  };

  return {
    issuer: context.issuer,
    resource: context.resource,
    clientId: settings.clientId,
    proxy,
    settings,
    trace: context.trace,
    canaries: () => context.canaries.list(),
    approve: (userCode) => decide(userCode, 'approved'),
    deny: (userCode) => decide(userCode, 'denied'),
    mark: (label, data) => {
      context.trace.record(data ? { type: 'marker', label, data } : { type: 'marker', label });
    },
    close,
  };
}

// The event and name types are evidence: the lab is one source of it.
export type {
  CredentialRef,
  DecisionEvent,
  EgressEvent,
  LabEvent,
  LabStartEvent,
  MarkerEvent,
  RequestEvent,
} from '../evidence/events.ts';
export {
  type CanaryKind,
  DIALECT_NAMES,
  type DialectName,
  SCENARIOS,
  type ScenarioName,
} from '../evidence/names.ts';
export type { Canary } from './canaries.ts';
export { normalizeUserCode, USER_CODE_ALPHABET } from './canaries.ts';
export type { PollFault } from './scenarios.ts';
export type { LabOptions, LabSettings } from './settings.ts';
