// RFC 8628 §3.5: slow_down is "a variant of authorization_pending": the authorization request
// is still pending and polling goes on, with the interval increased by 5 s. Giving up there
// makes sign-in fail against a server that only asked the client to poll less often.
import type { ScenarioRun } from '../evidence/model.ts';
import { count, interval } from './format.ts';
import { type AbandonedSlowDown, abandonedSlowDowns, clockOf, obtainedToken } from './timeline.ts';
import type { Check } from './types.ts';

export const check: Check = {
  meta: {
    id: 'slow-down-abort',
    severity: 'low',
    description:
      'Require polling to go on after slow_down, at the longer interval, instead of giving up',
    standards: ['RFC 8628 §3.5'],
    fix: 'Treat slow_down like authorization_pending: add 5 s to the interval and keep polling the same device code until success, a final error or expires_in; do not exit or start a new device authorization.',
  },

  evaluate({ run }) {
    const clock = clockOf(run);
    const abandoned = abandonedSlowDowns(run);
    const [first] = abandoned;
    if (!first) return null;
    const more = abandoned.length > 1 ? `, ${count(abandoned.length, 'device code')} in all` : '';
    return {
      message:
        `gave up at slow_down: ${insteadOf(first, run)} instead of polling again after ` +
        `${interval(first.requiredSeconds)}${more}; slow_down means keep polling, 5 s slower ` +
        '(RFC 8628 §3.5)',
      evidence: abandoned.map((item) => ({
        summary:
          `${item.series.label}poll ${item.pollNumber} at ${clock(item.poll.t)} answered ` +
          `slow_down and was the last: the next was due at ${clock(item.dueAt)} ` +
          `(interval ${interval(item.requiredSeconds)}); instead the program ${insteadOf(item, run)}`,
        at: item.poll.t,
        seq: item.poll.seq,
        kind: 'device_code' as const,
        fingerprint: item.series.deviceCode,
      })),
    };
  },
};

/** `exited with code 1 at 2.3 s`, `started device authorization 2 at 2.1 s`. */
function insteadOf(item: AbandonedSlowDown, run: ScenarioRun): string {
  const { next } = item;
  if (next.kind === 'restart') {
    return `started device authorization ${next.authorization.number} at ${clockOf(run)(next.at)}`;
  }
  const at = clockOf(run)(next.at);
  if (next.kind === 'silence') return `sent no poll by the end of the capture at ${at}`;
  if (next.exitCode === null) return `ended at ${at} (${next.signal ?? 'killed'})`;
  if (next.exitCode === 0 && item.invocation && !obtainedToken(run, item.invocation)) {
    return `exited 0 at ${at} without obtaining a token`;
  }
  return `exited with code ${next.exitCode} at ${at}`;
}
