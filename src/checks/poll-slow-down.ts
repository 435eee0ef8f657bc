// RFC 8628 §3.5: after slow_down, the interval grows by 5 s for that and every later poll.
import { count, interval, seconds } from './format.ts';
import { baseInterval, earlyGaps, gapEvidence, worstGap } from './timeline.ts';
import type { Check } from './types.ts';

export const check: Check = {
  meta: {
    id: 'poll-slow-down',
    severity: 'medium',
    description:
      'Require 5 s more between polls after each slow_down, for that and all later polls',
    standards: ['RFC 8628 §3.5'],
    fix: 'On slow_down, add 5 s to the polling interval and keep the longer interval for every later poll of that device code.',
  },

  evaluate({ run }) {
    const gaps = earlyGaps(run, 'poll-slow-down');
    const worst = worstGap(gaps);
    if (!worst) return null;
    const more = gaps.length > 1 ? `, ${count(gaps.length, 'early poll')} in all` : '';
    return {
      message:
        `after ${count(worst.slowDowns, 'slow_down')}, polled ${seconds(worst.gapMs)} after the ` +
        `previous request; the interval in force was ${interval(worst.requiredSeconds)} ` +
        `(${interval(baseInterval(run))} + 5 s per slow_down)${more} (RFC 8628 §3.5)`,
      evidence: gapEvidence(gaps),
    };
  },
};
