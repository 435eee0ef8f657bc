// NHI7:2025 (long-lived secrets): a device-flow access token is a bearer credential on a
// machine the user may not watch; the longer it lives, the longer a copy of it (a log, a crash
// report, a stolen cache) is worth something. From traffic (analyze): the lifetime the token
// answer announced (`expires_in`) or the JWT carries (`exp` − `iat`), whichever is longer.
import { count, seconds } from './format.ts';
import { clockOf, requestsOf } from './timeline.ts';
import type { Check } from './types.ts';

/** The policy's default maximum: one hour. */
export const DEFAULT_MAX_TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export const check: Check = {
  meta: {
    id: 'long-lived-token',
    severity: 'medium',
    description:
      "Disallow access tokens that live longer than the policy's max_token_lifetime (default 1 h)",
    standards: ['NHI7:2025'],
    fix: 'Issue short-lived access tokens to device-flow clients (an hour or less) and let the client come back to the user, or to a refresh the policy allows, when they expire.',
  },

  evaluate({ run, policy }) {
    const limitMs = policy.maxTokenLifetimeMs ?? DEFAULT_MAX_TOKEN_LIFETIME_MS;
    const clock = clockOf(run);
    const long = requestsOf(run).filter(
      (event) =>
        event.endpoint === 'token' &&
        event.tokenLifetime !== undefined &&
        event.tokenLifetime * 1000 > limitMs &&
        event.issued.some((ref) => ref.kind === 'access_token'),
    );
    if (long.length === 0) return null;
    const longest = Math.max(...long.map((event) => event.tokenLifetime ?? 0));
    return {
      message:
        `${count(long.length, 'token answer')} issued an access token living ${seconds(longest * 1000)}` +
        `${long.length > 1 ? ' at most' : ''}; the policy allows ${seconds(limitMs)}`,
      evidence: long.map((event) => {
        const token = event.issued.find((ref) => ref.kind === 'access_token');
        return {
          summary: `token answer at ${clock(event.t)}: the access token lives ${seconds((event.tokenLifetime ?? 0) * 1000)}`,
          at: event.t,
          seq: event.seq,
          ...(token && { kind: token.kind, fingerprint: token.fingerprint }),
        };
      }),
    };
  },
};
