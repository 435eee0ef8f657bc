// RFC 9700 §2.3: ask for no more privilege than the task needs.
import { count, distinct, list } from './format.ts';
import { clockOf, invocationAt, isRefreshGrant, requestsOf } from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

export const check: Check = {
  meta: {
    id: 'excess-scope',
    severity: 'high',
    description: "Disallow requesting scopes that the task's policy does not allow",
    standards: ['RFC 9700 §2.3', 'NHI5:2025', 'CSF PR.AA-05'],
    fix: 'Request only the scopes this command needs; drop offline_access unless the task must work without the user.',
  },

  evaluate({ run, policy, policyFor }) {
    const at = clockOf(run);
    const evidence: EvidenceItem[] = [];
    const excess: string[] = [];
    const allowedByTask = new Map<string, string[]>();
    for (const event of requestsOf(run)) {
      // Failed requests count too: asking is the boundary, not getting.
      const requesting = event.endpoint === 'device_authorization' || isRefreshGrant(event);
      if (!requesting || event.scope === undefined) continue;
      const invocation = invocationAt(run, event.t);
      const taskPolicy = invocation ? policyFor(invocation.task) : policy;
      const allowed = new Set(taskPolicy.scopes.allow);
      const beyond = distinct(
        event.scope.split(/\s+/).filter((scope) => scope !== '' && !allowed.has(scope)),
      );
      if (beyond.length === 0) continue;
      excess.push(...beyond);
      allowedByTask.set(taskPolicy.name, taskPolicy.scopes.allow);
      const what =
        event.endpoint === 'device_authorization' ? 'device authorization' : 'refresh_token grant';
      evidence.push({
        summary: `${what} at ${at(event.t)} (${event.outcome}) asked for '${event.scope}'; not allowed: ${beyond.join(', ')}`,
        at: event.t,
        seq: event.seq,
      });
    }
    if (evidence.length === 0) return null;
    const allowed = [...allowedByTask]
      .map(([task, scopes]) => `task '${task}' allows ${scopes.length > 0 ? list(scopes) : 'none'}`)
      .join('; ');
    const names = distinct(excess);
    return {
      message: `requested ${count(names.length, 'scope')} beyond the policy: ${list(names)} (${allowed})`,
      evidence,
    };
  },
};
