// RFC 8628 §3.5: on denial, expiry or failure the client must "react accordingly": report it
// with a failing exit code, end within its time, and leave nothing running.
import { count, seconds, shortList } from './format.ts';
import {
  abandonedSlowDowns,
  clockOf,
  invocationsOf,
  obtainedToken,
  requestsIn,
} from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

export const check: Check = {
  meta: {
    id: 'unclean-exit',
    severity: 'medium',
    description:
      'Require a failing exit code when no token was obtained, an exit before the timeout, and no processes left behind',
    standards: ['RFC 8628 §3.5'],
    fix: 'Exit with a non-zero code when sign-in is denied, expires or fails; give up before the device code expires; stop every child and background process before exiting.',
  },

  evaluate({ run }) {
    const at = clockOf(run);
    const invocations = invocationsOf(run);
    // An exit right after giving up at slow_down is `slow-down-abort`'s, whatever its code.
    const exitedAtSlowDown = new Set(
      abandonedSlowDowns(run)
        .filter((abandoned) => abandoned.next.kind === 'exit')
        .flatMap((abandoned) => abandoned.invocation?.index ?? []),
    );
    const evidence: EvidenceItem[] = [];
    const problems = new Set<string>();
    for (const invocation of invocations) {
      // A program that could not be started is the harness's problem, not the program's.
      if (invocation.spawnError !== undefined) continue;
      const which = invocations.length > 1 ? `run ${invocation.index}: ` : '';
      if (
        invocation.exitCode === 0 &&
        !obtainedToken(run, invocation) &&
        !exitedAtSlowDown.has(invocation.index)
      ) {
        problems.add('exited 0 without obtaining a token');
        evidence.push({
          summary: `${which}exited 0 at ${at(invocation.endedAt)} without obtaining a token`,
          at: invocation.endedAt,
        });
      }
      // Killed at its timeout before it asked the lab anything (waiting for a browser or for
      // input, or too old for the sign-in): nothing of its device flow to judge, and the
      // reports say so as the reason the scenario is inconclusive.
      if (invocation.timedOut && requestsIn(run, invocation).length > 0) {
        problems.add(`was still running at its timeout (${seconds(invocation.timeoutMs)})`);
        evidence.push({
          summary: `${which}still running at its timeout (${seconds(invocation.timeoutMs)}); killed at ${at(invocation.endedAt)}`,
          at: invocation.endedAt,
        });
      }
      if (invocation.leftovers.length > 0) {
        const names = invocation.leftovers.map(({ name, pid }) => `${name} (pid ${pid})`);
        problems.add('left processes running after it exited');
        evidence.push({
          summary: `${which}${count(names.length, 'process', 'processes')} still alive after the grace period: ${shortList(names, 5)}`,
          at: invocation.graceEndedAt,
        });
      }
    }
    if (evidence.length === 0) return null;
    return { message: `the program ${[...problems].join('; ')} (RFC 8628 §3.5)`, evidence };
  },
};
