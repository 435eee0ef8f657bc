// RFC 8628 §3.5: after a failed connection or a 5xx, back off; never retry sooner than the interval.
import { count, interval, seconds } from './format.ts';
import { answerPhrase, earlyGaps, gapEvidence, worstGap } from './timeline.ts';
import type { Check } from './types.ts';

export const check: Check = {
  meta: {
    id: 'error-backoff',
    severity: 'low',
    description:
      'Require at least the polling interval before retrying after a failed connection or an HTTP 5xx',
    standards: ['RFC 8628 §3.5'],
    fix: 'After a network error or a 5xx without an OAuth error, wait at least the interval in force before the next poll, and back off further (e.g. exponentially) if it fails again.',
  },

  evaluate({ run }) {
    const gaps = earlyGaps(run, 'error-backoff');
    const worst = worstGap(gaps);
    if (!worst) return null;
    const more =
      gaps.length > 1 ? `, ${count(gaps.length, 'early retry', 'early retries')} in all` : '';
    return {
      message:
        `after ${answerPhrase(worst.from)}, retried ${seconds(worst.gapMs)} after the previous ` +
        `request; the interval in force was ${interval(worst.requiredSeconds)}${more}: back off ` +
        'at least that long (RFC 8628 §3.5)',
      evidence: gapEvidence(gaps),
    };
  },
};
