/** RFC 8628 §3.5: polling the token endpoint until the user decides or the code expires. */
import { type DeviceAuthorization, pollingSecretsOf } from './device-authorization.ts';
import { deviceCodeGrantRequest, processDeviceCodeResponse } from './device-code-grant.ts';
import type { AuthorizationServer, Client } from './discovery.ts';
import { DeviceFlowError } from './errors.ts';
import { type HttpOptions, now, throwIfAborted, timingOf } from './http.ts';
import {
  afterAnswer,
  DEADLINE_MARGIN_MS,
  initialState,
  type PollState,
  placeBeforeDeadline,
  type ScheduledAnswer,
} from './schedule.ts';
import type { DeviceSession } from './session.ts';

/** One answered poll, for progress output. */
export interface PollProgress {
  /** 1-based number of the poll that was just answered. */
  readonly poll: number;
  /** What it was answered: the two "keep polling" answers, or a transient failure. */
  readonly answer: 'authorization_pending' | 'slow_down' | 'server_error' | 'network_error';
  /** The interval in force now, seconds. */
  readonly interval: number;
  /** Seconds until the next poll; `undefined` when none fits before the deadline (polling ends). */
  readonly nextPollIn: number | undefined;
  /** For `server_error` and `network_error`: what went wrong (no secret in it). */
  readonly error?: DeviceFlowError;
}

/** Options of {@link pollDeviceAuthorizationGrant}. */
export interface PollOptions extends HttpOptions {
  /** Called after every answer that lets polling go on. Throwing from it ends polling. */
  readonly onProgress?: (progress: PollProgress) => void;
}

/**
 * Polls the token endpoint exactly as RFC 8628 §3.5 asks, and returns the session once the user
 * approves:
 *
 * - waits the interval before every poll, the first one included (5 s when the server gave
 *   none), counted from when the previous answer arrived;
 * - `slow_down` adds 5 s to the interval for that and every later poll;
 * - honours `Retry-After`;
 * - after an HTTP 5xx or a failed connection (or a per-request timeout) waits at least the
 *   interval, doubling with each consecutive failure up to 60 s, never past the deadline;
 * - stops with `device_code_expired` when the next poll could not reach the server before
 *   `expires_in` runs out, counted from when the device authorization request was sent;
 * - stops on `access_denied`, `expired_token` and every other error answer, and when
 *   `signal` aborts;
 * - never starts a new device authorization: that takes a new user action.
 *
 * @throws {OAuthResponseError} `access_denied`, `expired_token`, `oauth_error`.
 * @throws {DeviceFlowError} `device_code_expired` (the cause is the last transient failure, if
 * any), `aborted`, `invalid_response`, `http_error`, `insecure_request`.
 * @see {@link https://www.rfc-editor.org/rfc/rfc8628#section-3.5 | RFC 8628 §3.5}
 */
export async function pollDeviceAuthorizationGrant(
  server: AuthorizationServer,
  client: Client,
  authorization: DeviceAuthorization,
  options: PollOptions = {},
): Promise<DeviceSession> {
  const { deadline, receivedAt } = pollingSecretsOf(authorization);
  const { onProgress, ...http } = options;
  let state: PollState = initialState(authorization.interval);
  // The first poll waits the interval too, counted from the device authorization's answer.
  let at = placeBeforeDeadline(
    receivedAt,
    { delayMs: state.intervalMs, minimumMs: state.intervalMs },
    deadline,
  );
  let answeredAt: number;
  let lastFailure: DeviceFlowError | undefined;

  for (let poll = 1; ; poll++) {
    if (at === undefined) throw expired(authorization, lastFailure);
    await sleepUntil(at, http.signal);
    // A timer that fired very late (a suspended laptop, a blocked event loop) must not send a
    // poll that would arrive after expires_in.
    if (now() > deadline - DEADLINE_MARGIN_MS / 2) throw expired(authorization, lastFailure);

    let answer: ScheduledAnswer;
    let progress: Omit<PollProgress, 'interval' | 'nextPollIn'>;
    try {
      const response = await deviceCodeGrantRequest(server, client, authorization, http);
      answeredAt = timingOf(response)?.receivedAt ?? now();
      const result = await processDeviceCodeResponse(server, client, authorization, response, http);
      const retryAfterMs = result.type === 'success' ? undefined : result.retryAfter;
      const wait = retryAfterMs === undefined ? {} : { retryAfterMs: retryAfterMs * 1000 };
      switch (result.type) {
        case 'success':
          return result.session;
        case 'authorization_pending':
          answer = { type: 'authorization_pending', ...wait };
          progress = { poll, answer: 'authorization_pending' };
          lastFailure = undefined;
          break;
        case 'slow_down':
          answer = {
            type: 'slow_down',
            ...(result.interval !== undefined && { intervalMs: result.interval * 1000 }),
            ...wait,
          };
          progress = { poll, answer: 'slow_down' };
          lastFailure = undefined;
          break;
        case 'server_error':
          lastFailure = new DeviceFlowError(
            'http_error',
            `the token endpoint answered HTTP ${result.status}`,
          );
          answer = { type: 'failure', ...wait };
          progress = { poll, answer: 'server_error', error: lastFailure };
          break;
      }
    } catch (error) {
      if (!isTransient(error)) throw error;
      answeredAt = now();
      lastFailure = error;
      answer = { type: 'failure' };
      progress = { poll, answer: 'network_error', error };
    }

    const next = afterAnswer(state, answer);
    state = next.state;
    at = placeBeforeDeadline(answeredAt, next, deadline);
    onProgress?.({
      ...progress,
      interval: state.intervalMs / 1000,
      nextPollIn: at === undefined ? undefined : Math.round(at - answeredAt) / 1000,
    });
  }
}

function isTransient(error: unknown): error is DeviceFlowError {
  return (
    error instanceof DeviceFlowError &&
    (error.code === 'network_error' || error.code === 'request_timeout')
  );
}

function expired(
  authorization: DeviceAuthorization,
  lastFailure: DeviceFlowError | undefined,
): DeviceFlowError {
  const because = lastFailure ? ` (last attempt: ${lastFailure.message})` : '';
  return new DeviceFlowError(
    'device_code_expired',
    `the code expired before the sign-in was approved (expires_in ${authorization.expiresIn} s)${because}: start a new sign-in`,
    lastFailure ? { cause: lastFailure } : undefined,
  );
}

/**
 * Waits until `performance.now()` reaches `at`. Timers may fire a little early against this
 * clock; the loop makes sure the interval is never cut short.
 */
async function sleepUntil(at: number, signal: AbortSignal | undefined): Promise<void> {
  throwIfAborted(signal);
  for (let remaining = at - now(); remaining > 0; remaining = at - now()) {
    await sleep(Math.ceil(remaining), signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(
        new DeviceFlowError('aborted', 'the device flow was aborted', { cause: signal?.reason }),
      );
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
