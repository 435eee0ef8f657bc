/**
 * When to send the next poll (RFC 8628 §3.5), as a pure function of the answers so far, so the
 * rules can be tested without a clock:
 *
 * - before every poll, the interval in force (5 s when the server gave none, §3.2), counted
 *   from when the previous answer arrived — never from when the request was sent;
 * - `slow_down`: 5 s more, for that and every later poll (or the server's new `interval`, if
 *   it says one and it is longer);
 * - a 5xx answer or a failed connection: at least the interval in force, doubling with every
 *   consecutive failure, at most {@link MAX_BACKOFF_MS} (or the interval, if longer);
 * - `Retry-After`: never sooner than it asks;
 * - the client-side deadline: no poll is sent later than {@link DEADLINE_MARGIN_MS} before
 *   `expires_in` runs out (counted from when the device authorization was sent). A back-off
 *   wait is shortened to fit; the interval and `Retry-After` are not, and then polling ends.
 */

/** RFC 8628 §3.2: the interval when the server gives none, seconds. */
export const DEFAULT_INTERVAL_SECONDS = 5;
/** RFC 8628 §3.5: what `slow_down` adds to the interval, seconds. */
export const SLOW_DOWN_SECONDS = 5;
/** Longest back-off after consecutive failures, unless the interval itself is longer. */
export const MAX_BACKOFF_MS = 60_000;
/**
 * A poll must reach the server before `expires_in` runs out: none is sent this close to the
 * deadline (network latency, and the server's clock started when the request arrived).
 */
export const DEADLINE_MARGIN_MS = 1_000;

export interface PollState {
  /** The interval in force, ms. */
  readonly intervalMs: number;
  /** Consecutive 5xx answers or failed connections. */
  readonly failures: number;
}

/** What the previous poll's answer was, for scheduling. */
export type ScheduledAnswer =
  | { readonly type: 'authorization_pending'; readonly retryAfterMs?: number }
  | { readonly type: 'slow_down'; readonly intervalMs?: number; readonly retryAfterMs?: number }
  | { readonly type: 'failure'; readonly retryAfterMs?: number };

export function initialState(intervalSeconds: number | undefined): PollState {
  return { intervalMs: (intervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * 1000, failures: 0 };
}

export interface NextPoll {
  readonly state: PollState;
  /** Wait this long after the answer arrived. */
  readonly delayMs: number;
  /** The shortest wait the rules allow (interval in force, Retry-After). */
  readonly minimumMs: number;
}

/** The state after an answer, and how long to wait before the next poll. */
export function afterAnswer(state: PollState, answer: ScheduledAnswer): NextPoll {
  const retryAfterMs = answer.retryAfterMs ?? 0;
  switch (answer.type) {
    case 'authorization_pending': {
      const next = { intervalMs: state.intervalMs, failures: 0 };
      const delayMs = Math.max(next.intervalMs, retryAfterMs);
      return { state: next, delayMs, minimumMs: delayMs };
    }
    case 'slow_down': {
      const intervalMs = Math.max(
        state.intervalMs + SLOW_DOWN_SECONDS * 1000,
        answer.intervalMs ?? 0,
      );
      const delayMs = Math.max(intervalMs, retryAfterMs);
      return { state: { intervalMs, failures: 0 }, delayMs, minimumMs: delayMs };
    }
    case 'failure': {
      const failures = state.failures + 1;
      const cap = Math.max(MAX_BACKOFF_MS, state.intervalMs);
      const backoffMs = Math.min(state.intervalMs * 2 ** (failures - 1), cap);
      const minimumMs = Math.max(state.intervalMs, retryAfterMs);
      return {
        state: { intervalMs: state.intervalMs, failures },
        delayMs: Math.max(backoffMs, minimumMs),
        minimumMs,
      };
    }
  }
}

/**
 * When to send the next poll (a `performance.now()` time), or `undefined` when it cannot be
 * sent before the deadline: polling is over.
 */
export function placeBeforeDeadline(
  answeredAt: number,
  next: Pick<NextPoll, 'delayMs' | 'minimumMs'>,
  deadline: number,
): number | undefined {
  const latest = deadline - DEADLINE_MARGIN_MS;
  if (answeredAt + next.delayMs <= latest) return answeredAt + next.delayMs;
  if (answeredAt + next.minimumMs <= latest) return latest;
  return undefined;
}
