// RFC 8628 §3.5: polling ends with the first answer other than authorization_pending or
// slow_down, when the device code expires, and with the program.
import type { RequestEvent } from '../evidence/events.ts';
import { count, distinct } from './format.ts';
import {
  answerOf,
  clockOf,
  invocationAt,
  isAfterExit,
  isDevicePoll,
  isRefreshGrant,
  pollSeries,
  requestsOf,
} from './timeline.ts';
import type { Check, EvidenceItem } from './types.ts';

interface Late {
  event: RequestEvent;
  name: string;
  afterFinal?: RequestEvent;
  afterExpiry?: number;
  afterExit?: number;
}

export const check: Check = {
  meta: {
    id: 'poll-after-terminal',
    severity: 'medium',
    description:
      'Disallow token requests after a final answer, after the device code expired, or after the program exited',
    standards: ['RFC 8628 §3.5', 'NHI7:2025'],
    fix: 'Stop polling on success, access_denied, expired_token or any other error answer, and once expires_in has passed; stop every background task before the program exits.',
  },

  evaluate({ run }) {
    const late = new Map<RequestEvent, Late>();
    const names = new Map<RequestEvent, string>();
    for (const series of pollSeries(run)) {
      let final: RequestEvent | undefined;
      series.polls.forEach((event, index) => {
        const name = `${series.label}poll ${index + 1}`;
        names.set(event, name);
        const expiresAt = series.authorization?.expiresAt;
        // The lab's own clock starts a moment after the request arrives: a poll it still
        // answered as live was not yet past expiry.
        const answer = answerOf(event);
        const live = answer === 'pending' || answer === 'slow-down' || event.outcome === 'success';
        if (final) late.set(event, { event, name, afterFinal: final });
        if (expiresAt !== undefined && event.t >= expiresAt && !live) {
          late.set(event, { ...(late.get(event) ?? { event, name }), afterExpiry: expiresAt });
        }
        if (!final && answerOf(event) === 'terminal') final = event;
      });
    }

    for (const event of requestsOf(run)) {
      // The verification page is the person's browser, not the program.
      if (event.endpoint === 'verification') continue;
      const invocation = invocationAt(run, event.t);
      if (!invocation || !isAfterExit(invocation, event.t)) continue;
      const entry = late.get(event) ?? { event, name: names.get(event) ?? requestName(event) };
      late.set(event, { ...entry, afterExit: invocation.endedAt });
    }

    if (late.size === 0) return null;
    const entries = [...late.values()].sort(
      (a, b) => a.event.t - b.event.t || a.event.seq - b.event.seq,
    );
    const afterFinal = entries.filter((entry) => entry.afterFinal);
    const afterExpiry = entries.filter((entry) => entry.afterExpiry !== undefined);
    const afterExit = entries.filter((entry) => entry.afterExit !== undefined);
    const parts: string[] = [];
    if (afterFinal.length > 0) {
      const answers = distinct(afterFinal.map((entry) => entry.afterFinal?.outcome ?? ''));
      parts.push(
        `${count(afterFinal.length, 'token request')} after the lab's final answer (${answers.join(', ')})`,
      );
    }
    if (afterExpiry.length > 0) {
      parts.push(
        `${count(afterExpiry.length, 'token request')} after the device code expired (expires_in ${run.lab.expiresIn} s)`,
      );
    }
    if (afterExit.length > 0) {
      parts.push(
        `${count(afterExit.length, 'request')} after the program exited: a process kept running in the background`,
      );
    }
    return {
      message: `made ${parts.join('; ')} (RFC 8628 §3.5)`,
      evidence: entries.map((entry) => evidenceOf(entry, clockOf(run))),
    };
  },
};

function evidenceOf(entry: Late, at: (t: number) => string): EvidenceItem {
  const reasons: string[] = [];
  if (entry.afterFinal) {
    reasons.push(`after the lab answered ${entry.afterFinal.outcome} at ${at(entry.afterFinal.t)}`);
  }
  if (entry.afterExpiry !== undefined)
    reasons.push(`after the device code expired at ${at(entry.afterExpiry)}`);
  if (entry.afterExit !== undefined)
    reasons.push(`after the program exited at ${at(entry.afterExit)}`);
  const device = entry.event.deviceCode;
  return {
    summary: `${entry.name} at ${at(entry.event.t)} (${entry.event.outcome}), ${reasons.join(', ')}`,
    at: entry.event.t,
    seq: entry.event.seq,
    ...(device ? { kind: 'device_code' as const, fingerprint: device } : {}),
  };
}

function requestName(event: RequestEvent): string {
  if (isDevicePoll(event)) return 'poll';
  if (isRefreshGrant(event)) return 'refresh_token grant';
  return `${event.endpoint.replace('_', ' ')} request`;
}
