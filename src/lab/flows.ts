// The lab's RFC 8628 state machine, free of any wire format: every dialect (generic RFC 8628,
// GitHub, Microsoft) parses its own requests, calls these, and writes its own answers, so the
// scenarios, the store and the trace are one whatever the program speaks.
import type { AfterApprovalFault } from '../evidence/names.ts';
import { fingerprint } from '../evidence/secret.ts';
import { honoursInterval } from '../evidence/timing.ts';
import { newDeviceCode, newUserCode, normalizeUserCode } from './canaries.ts';
import type { Exchange, LabContext } from './context.ts';
import { E, OAuthError } from './http.ts';
import type { DeviceAuthorization, RefreshGrant } from './store.ts';

/** RFC 8628 §3.4: the grant type of a device access token request. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * RFC 8628 §3.1–3.2: makes a device authorization for an identified client. The caller writes
 * the response (`userCode` is the only place the raw user code is handed out).
 */
export function startDeviceAuthorization(
  context: LabContext,
  exchange: Exchange,
  request: { clientId: string; scope: string },
): { authorization: DeviceAuthorization; userCode: string } {
  const { settings, store, trace } = context;
  const { event } = exchange;
  const now = trace.now();
  const length = context.settings.userCodeLength;
  let userCode = newUserCode(length);
  // 20^8 codes: a collision among live codes is unlikely but must not hand one user's approval
  // to another device.
  while (store.byUserCode.has(normalizeUserCode(userCode) ?? '')) userCode = newUserCode(length);

  const deviceCode = context.issue('device_code', newDeviceCode());
  const authorization: DeviceAuthorization = {
    deviceCode,
    userCode: context.issue('user_code', userCode, deviceCode.fingerprint),
    userCodeKey: normalizeUserCode(userCode) ?? '',
    clientId: request.clientId,
    scope: request.scope,
    createdAt: now,
    expiresAt: now + settings.expiresIn * 1000,
    status: 'pending',
    polls: 0,
    lastPollAt: null,
    interval: settings.interval,
  };
  store.addAuthorization(authorization);

  event.clientId = request.clientId;
  event.scope = request.scope;
  event.deviceCode = authorization.deviceCode.fingerprint;
  event.intervalInForce = settings.interval;
  event.issued.push(
    { kind: 'device_code', fingerprint: authorization.deviceCode.fingerprint },
    { kind: 'user_code', fingerprint: authorization.userCode.fingerprint },
  );
  return { authorization, userCode };
}

/** What one poll comes to when it is not an OAuth error (those are thrown as `OAuthError`). */
export type PollResult =
  | { kind: 'approved'; authorization: DeviceAuthorization }
  | { kind: 'fault'; fault: 'server-error' | 'drop' };

/**
 * RFC 8628 §3.4–3.5: one poll of the device access token request, steered by the scenario.
 * Throws the OAuth error the poll earns (`authorization_pending` is returned through `pending`
 * rather than thrown, since it is the most frequent answer of all and a stack trace costs).
 * On approval the authorization is consumed: the caller mints the tokens in its dialect.
 */
export function pollDeviceCode(
  context: LabContext,
  exchange: Exchange,
  request: { clientId: string; code: string },
): PollResult | 'pending' {
  const { event } = exchange;
  event.clientId = request.clientId;
  const authorization = context.store.byDeviceCode.get(request.code);
  // A known code's fingerprint is already computed: hashing on every poll is measurable.
  event.presented.push({
    kind: 'device_code',
    fingerprint: authorization ? authorization.deviceCode.fingerprint : fingerprint(request.code),
  });
  if (!authorization) throw E.invalidGrant('unknown device_code');
  event.deviceCode = authorization.deviceCode.fingerprint;
  event.scope = authorization.scope;
  if (authorization.clientId !== request.clientId) {
    throw E.invalidGrant('device_code was issued to another client');
  }

  const now = context.trace.now();
  authorization.polls += 1;
  event.poll = authorization.polls;
  event.intervalInForce = authorization.interval;

  // Infrastructure faults come first and leave the authorization as it was: a load balancer
  // in front of the server knows nothing of it. (How soon the client retries is judged by
  // the error-backoff check, not punished with slow_down here.)
  const fault = context.settings.faultPolls.get(authorization.polls);
  if (fault) {
    event.injected = fault;
    return { kind: 'fault', fault };
  }
  const previousPoll = authorization.lastPollAt;
  authorization.lastPollAt = now;

  if (authorization.status === 'consumed') throw E.invalidGrant('device_code was already used');
  if (now >= authorization.expiresAt) throw E.expiredToken();
  if (authorization.status === 'pending') applyScenarioDecision(context, authorization, now);
  if (authorization.status === 'denied') throw E.accessDenied();

  if (authorization.status === 'approved') {
    // The `fault` scenario cuts the first token answer short: tokens are minted and sent, but
    // the client cannot read them, so the authorization stays redeemable for one more poll.
    if (takeFault(context, 'truncated-token')) {
      exchange.truncate = true;
      event.injected = 'truncated';
      return { kind: 'approved', authorization };
    }
    // Single use (RFC 8628 §3.5, RFC 6749 §4.1.2's rule for codes), unless configured weak.
    if (!context.settings.reusableDeviceCodes) authorization.status = 'consumed';
    return { kind: 'approved', authorization };
  }

  // Still pending. slow_down when the scenario asks for it on this poll, or when the client
  // came sooner than the interval in force; either way the interval grows by 5 s for this and
  // every later poll (RFC 8628 §3.5).
  const tooSoon =
    context.settings.enforceInterval &&
    previousPoll !== null &&
    !honoursInterval(now - previousPoll, authorization.interval);
  if (context.settings.slowDownPolls.has(authorization.polls) || tooSoon) {
    authorization.interval += 5;
    throw E.slowDown(authorization.interval);
  }
  return 'pending';
}

/**
 * RFC 6749 §6: the refresh token a refresh_token grant presents, recorded as presented (so
 * `session-reuse` and `silent-refresh` see it whether or not it works), looked up and checked
 * against the client and the lab's settings. Rotation and scope rules are the dialect's.
 */
export function presentedRefreshGrant(
  context: LabContext,
  exchange: Exchange,
  request: { clientId: string; value: string },
): RefreshGrant {
  exchange.event.presented.push({ kind: 'refresh_token', fingerprint: fingerprint(request.value) });
  const grant = context.store.refreshTokens.get(request.value);
  if (!grant) throw E.invalidGrant('unknown refresh_token');
  if (grant.clientId !== request.clientId)
    throw E.invalidGrant('refresh_token was issued to another client');
  if (!context.settings.allowRefresh) {
    throw new OAuthError('unauthorized_client', 'this lab does not allow the refresh_token grant');
  }
  return grant;
}

/**
 * True, once per lab, when the scenario asks for this after-approval fault and it has not been
 * given yet: the caller then gives it.
 */
export function takeFault(context: LabContext, fault: AfterApprovalFault): boolean {
  if (!context.settings.afterApprovalFaults.has(fault)) return false;
  if (context.store.faultsGiven.has(fault)) return false;
  context.store.faultsGiven.add(fault);
  return true;
}

function applyScenarioDecision(
  context: LabContext,
  authorization: DeviceAuthorization,
  now: number,
): void {
  const auto = context.settings.autoDecision;
  if (!auto) return;
  const answeredPolls = authorization.polls - 1;
  if (now - authorization.createdAt < auto.afterSeconds * 1000) return;
  if (answeredPolls < auto.afterPolls) return;
  context.decide(authorization, auto.decision === 'approve' ? 'approved' : 'denied', 'scenario');
}
