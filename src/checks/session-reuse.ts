// NHI9: one run's delegated credential is not another run's, unless both tasks say so.

import type { RequestEvent } from '../evidence/events.ts';
import type { CanaryRecord, Invocation } from '../evidence/model.ts';
import { CAPTURE_SITTING_MARKER } from '../evidence/names.ts';
import { count, kindName } from './format.ts';
import {
  clockOf,
  deviceAuthorizations,
  invocationsOf,
  isRefreshGrant,
  requestsIn,
  requestsOf,
} from './timeline.ts';
import type { Check, CheckContext, EvidenceItem } from './types.ts';

export const check: Check = {
  meta: {
    id: 'session-reuse',
    severity: 'high',
    description: "Disallow using an earlier run's credential without a new device authorization",
    standards: ['NHI9:2025', 'NHI7:2025', 'CSF PR.AA-01'],
    fix: "Keep each run's tokens to that run: start a new device authorization instead of loading a stored token, or set `session: reuse` for tasks that are meant to share a session.",
  },

  evaluate(context) {
    const { run, policyFor } = context;
    if (run.invocations.length === 0) return fromCapture(context);
    const invocations = invocationsOf(run);
    const byIndex = new Map(invocations.map((invocation) => [invocation.index, invocation]));
    const authorizations = deviceAuthorizations(run);
    const evidence: EvidenceItem[] = [];

    for (const invocation of invocations.slice(1)) {
      const ownAuthorization =
        authorizations.find((a) => a.invocation === invocation)?.at ?? Infinity;
      for (const event of requestsIn(run, invocation)) {
        if (event.t >= ownAuthorization) break;
        for (const ref of presentedCredentials(event)) {
          const canary = run.canaries.find(
            (c) => c.fingerprint === ref.fingerprint && c.invocation < invocation.index,
          );
          if (!canary) continue;
          const issuer = byIndex.get(canary.invocation);
          if (reuseAllowed(policyFor, issuer, invocation)) continue;
          evidence.push(evidenceOf(event, canary, invocation, issuer, clockOf(run)));
        }
      }
    }
    if (evidence.length === 0) return null;
    return {
      message:
        `presented ${count(evidence.length, 'credential')} issued to an earlier run without its own ` +
        'device authorization first; the policy does not allow these tasks to share a session',
      evidence,
    };
  },
};

/**
 * An access token at the resource, a refresh token at the token endpoint (DESIGN.md); v2: cloud
 * keys an access token was exchanged for, at the API that takes them.
 */
function presentedCredentials(event: RequestEvent) {
  if (event.endpoint === 'resource')
    return event.presented.filter((ref) => ref.kind === 'access_token' || ref.kind === 'cloud_key');
  if (isRefreshGrant(event)) return event.presented.filter((ref) => ref.kind === 'refresh_token');
  return [];
}

/** Sharing needs both sides: the task whose credential it is and the task using it. */
function reuseAllowed(
  policyFor: CheckContext['policyFor'],
  issuer: Invocation | undefined,
  user: Invocation,
): boolean {
  if (policyFor(user.task).session !== 'reuse') return false;
  return issuer === undefined || policyFor(issuer.task).session === 'reuse';
}

function evidenceOf(
  event: RequestEvent,
  canary: CanaryRecord,
  user: Invocation,
  issuer: Invocation | undefined,
  at: (t: number) => string,
): EvidenceItem {
  const where = event.endpoint === 'resource' ? 'at the resource' : 'in a refresh_token grant';
  const from = issuer
    ? `run ${issuer.index}${issuer.task === user.task ? '' : ` (task '${issuer.task}')`}`
    : `run ${canary.invocation}`;
  return {
    summary: `run ${user.index} presented the ${kindName(canary.kind)} issued to ${from} ${where} at ${at(event.t)} (${event.outcome})`,
    at: event.t,
    seq: event.seq,
    kind: canary.kind,
    fingerprint: canary.fingerprint,
    preview: canary.preview,
  };
}

/**
 * A capture has no program runs; its sittings (traffic again after more than an hour of
 * silence, marked when the capture was read) stand in for them: a credential issued in an
 * earlier sitting, presented in a later one before that sitting's own device authorization.
 */
function fromCapture({ run, policy }: CheckContext) {
  if (policy.session === 'reuse') return null;
  const starts = run.events
    .filter((event) => event.type === 'marker' && event.label === CAPTURE_SITTING_MARKER)
    .map((event) => event.t);
  if (starts.length === 0) return null;
  const sittingAt = (t: number) => starts.filter((start) => start <= t).length + 1;
  const at = clockOf(run);
  const authorized = new Set<number>();
  const evidence: EvidenceItem[] = [];
  for (const event of requestsOf(run)) {
    const sitting = sittingAt(event.t);
    if (event.endpoint === 'device_authorization') authorized.add(sitting);
    if (sitting === 1 || authorized.has(sitting)) continue;
    for (const ref of presentedCredentials(event)) {
      const canary = run.canaries.find((c) => c.fingerprint === ref.fingerprint);
      if (!canary || sittingAt(canary.issuedAt) >= sitting) continue;
      const where = event.endpoint === 'resource' ? 'at the resource' : 'in a refresh_token grant';
      evidence.push({
        summary: `sitting ${sitting} (traffic again at ${at(event.t)} after more than an hour of silence) presented the ${kindName(canary.kind)} issued in sitting ${sittingAt(canary.issuedAt)} ${where} (${event.outcome}), before any device authorization of its own`,
        at: event.t,
        seq: event.seq,
        kind: canary.kind,
        fingerprint: canary.fingerprint,
        preview: canary.preview,
      });
    }
  }
  if (evidence.length === 0) return null;
  return {
    message:
      `presented ${count(evidence.length, 'credential')} issued in an earlier sitting without a ` +
      'new device authorization first; the policy does not allow the session to be reused',
    evidence,
  };
}
