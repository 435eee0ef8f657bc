// RFC 8628 §3.5: after access_denied or expired_token the client "MAY commence a new device
// authorization request but SHOULD wait for user interaction before restarting".
import type { RequestEvent } from '../evidence/events.ts';
import { count, seconds } from './format.ts';
import {
  abandonedSlowDowns,
  clockOf,
  type DeviceAuthorizationRecord,
  deviceAuthorizations,
  pollSeries,
} from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

export const check: Check = {
  meta: {
    id: 'auto-restart',
    severity: 'high',
    description:
      'Disallow a new device authorization after denial or expiry without a new user action',
    standards: ['RFC 8628 §3.1', 'RFC 8628 §3.5', 'NHI7:2025'],
    fix: 'After access_denied or expired_token (or once expires_in has passed), report it and exit; start a new device authorization only when the user asks again.',
  },

  evaluate({ run }) {
    const at = clockOf(run);
    const authorizations = deviceAuthorizations(run);
    const polls = new Map(pollSeries(run).map((series) => [series.deviceCode, series.polls]));
    // A restart right after giving up at slow_down is `slow-down-abort`'s.
    const restartsAtSlowDown = new Set(
      abandonedSlowDowns(run).flatMap(({ next }) =>
        next.kind === 'restart' ? [next.authorization.number] : [],
      ),
    );
    const evidence: EvidenceItem[] = [];
    for (const later of authorizations) {
      if (restartsAtSlowDown.has(later.number)) continue;
      // A new invocation is a new user action: only restarts within one program run count.
      const ended = authorizations
        .filter(
          (earlier) => earlier.number < later.number && earlier.invocation === later.invocation,
        )
        .map((earlier) => endBefore(earlier, polls.get(earlier.deviceCode) ?? [], later.at, at))
        .findLast((end) => end !== undefined);
      if (!ended) continue;
      evidence.push({
        summary: `device authorization ${later.number} at ${at(later.at)}, after device authorization ${ended.number} ${ended.how}`,
        at: later.at,
        seq: later.event.seq,
        kind: 'device_code',
        fingerprint: later.deviceCode,
      });
    }
    if (evidence.length === 0) return null;
    return {
      message:
        `started ${count(evidence.length, 'new device authorization')} on its own after an earlier one ` +
        'was denied or expired; wait for the user to ask again (RFC 8628 §3.5)',
      evidence,
    };
  },
};

/** How an authorization ended before `t` (denied or expired), or `undefined` if it had not. */
function endBefore(
  authorization: DeviceAuthorizationRecord,
  polls: readonly RequestEvent[],
  t: number,
  at: (t: number) => string,
): { number: number; how: string } | undefined {
  const { number } = authorization;
  for (const [index, poll] of polls.entries()) {
    if (poll.t >= t) break;
    if (poll.outcome === 'success') return undefined;
    if (poll.outcome === 'access_denied' || poll.outcome === 'expired_token') {
      const how = poll.outcome === 'access_denied' ? 'was denied' : 'expired';
      return {
        number,
        how: `${how} (poll ${index + 1} at ${at(poll.t)} answered ${poll.outcome})`,
      };
    }
  }
  if (authorization.expiresAt <= t) {
    return {
      number,
      how: `expired at ${at(authorization.expiresAt)} (expires_in ${seconds(authorization.expiresIn * 1000)})`,
    };
  }
  return undefined;
}
