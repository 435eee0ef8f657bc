// NHI7:2025; RFC 9700 §4.14: a refresh token keeps a session alive without the user. A task
// whose policy forbids refresh should not be handed one: from traffic (analyze), any token
// answer that issued a refresh token to such a task, whether or not it was used.
import { count } from './format.ts';
import { clockOf, requestsOf } from './timeline.ts';
import type { Check } from './types.ts';

export const check: Check = {
  meta: {
    id: 'refresh-issued',
    severity: 'medium',
    description: 'Disallow refresh tokens issued to a task whose policy forbids refresh',
    standards: ['NHI7:2025', 'RFC 9700 §4.14'],
    fix: 'Do not ask for offline_access (or the provider’s equivalent) in a task that must not outlive the user’s approval, and have the authorization server issue no refresh token to this client.',
  },

  evaluate({ run, policy }) {
    if (policy.refresh !== 'forbidden') return null;
    const clock = clockOf(run);
    const answers = requestsOf(run).filter(
      (event) =>
        event.endpoint === 'token' && event.issued.some((ref) => ref.kind === 'refresh_token'),
    );
    if (answers.length === 0) return null;
    return {
      message: `${count(answers.length, 'token answer')} issued a refresh token; the policy of task '${policy.name}' forbids refresh`,
      evidence: answers.map((event) => {
        const token = event.issued.find((ref) => ref.kind === 'refresh_token');
        return {
          summary: `token answer at ${clock(event.t)} (${event.grantType === 'refresh_token' ? 'refresh_token grant' : 'device flow'}) issued a refresh token`,
          at: event.t,
          seq: event.seq,
          ...(token && { kind: token.kind, fingerprint: token.fingerprint }),
        };
      }),
    };
  },
};
