// RFC 8628 §3.2, §3.5: wait the announced interval between polls while authorization is pending.
import { count, interval, seconds } from './format.ts';
import { baseInterval, earlyGaps, gapEvidence, worstGap } from './timeline.ts';
import type { Check } from './types.ts';

export const check: Check = {
  meta: {
    id: 'poll-interval',
    severity: 'medium',
    description:
      'Enforce the server interval between device access token requests while authorization is pending',
    standards: ['RFC 8628 §3.2', 'RFC 8628 §3.5'],
    fix: 'Wait at least the `interval` of the device authorization response (5 s when absent) after each authorization_pending answer before polling again.',
  },

  evaluate({ run }) {
    const gaps = earlyGaps(run, 'poll-interval');
    const worst = worstGap(gaps);
    if (!worst) return null;
    const more = gaps.length > 1 ? `, ${count(gaps.length, 'early poll')} in all` : '';
    return {
      message:
        `polled ${seconds(worst.gapMs)} after the previous request; the interval in force was ` +
        `${interval(baseInterval(run))}${more} (RFC 8628 §3.5)`,
      evidence: gapEvidence(gaps),
    };
  },
};
