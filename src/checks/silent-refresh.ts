// NHI7, RFC 9700 §2.2.2: a session that should end is not extended behind the user's back.
import { count } from './format.ts';
import { clockOf, invocationAt, isRefreshGrant, requestsOf } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

export const check: Check = {
  meta: {
    id: 'silent-refresh',
    severity: 'high',
    description: 'Disallow the refresh_token grant where the policy forbids refresh',
    standards: ['NHI7:2025', 'RFC 9700 §2.2.2'],
    fix: 'When the access token expires, ask the user to sign in again instead of using a refresh token; do not request offline_access for this task.',
  },

  evaluate({ run, policy, policyFor }) {
    const at = clockOf(run);
    const evidence: EvidenceItem[] = [];
    const tasks = new Set<string>();
    for (const event of requestsOf(run)) {
      if (!isRefreshGrant(event)) continue;
      const invocation = invocationAt(run, event.t);
      const taskPolicy = invocation ? policyFor(invocation.task) : policy;
      if (taskPolicy.refresh !== 'forbidden') continue;
      tasks.add(taskPolicy.name);
      const token = event.presented.find((ref) => ref.kind === 'refresh_token');
      evidence.push({
        summary: `refresh_token grant at ${at(event.t)} (${event.outcome})`,
        at: event.t,
        seq: event.seq,
        ...(token ? { kind: token.kind, fingerprint: token.fingerprint } : {}),
      });
    }
    if (evidence.length === 0) return null;
    return {
      message: `used the refresh_token grant ${count(evidence.length, 'time')} without user action; the policy of ${[...tasks].map((task) => `task '${task}'`).join(' and ')} forbids refresh`,
      evidence,
    };
  },
};
