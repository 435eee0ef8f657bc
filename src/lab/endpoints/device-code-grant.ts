// RFC 8628 §3.4–3.5: one poll of the device access token request, steered by the scenario.
import { fingerprint } from '../../evidence/secret.ts';
import { honoursInterval } from '../../evidence/timing.ts';
import { authenticateClient } from '../client-auth.ts';
import { type Exchange, json, type LabContext, type Reply } from '../context.ts';
import { E, required } from '../http.ts';
import type { DeviceAuthorization } from '../store.ts';
import { mintTokens } from '../tokens.ts';

export async function deviceCodeGrant(
  context: LabContext,
  exchange: Exchange,
  form: Map<string, string>,
): Promise<Reply> {
  const { event } = exchange;
  const clientId = authenticateClient(context, exchange.request, form);
  event.clientId = clientId;
  const code = required(form, 'device_code');
  const authorization = context.store.byDeviceCode.get(code);
  // A known code's fingerprint is already computed: hashing on every poll is measurable.
  event.presented.push({
    kind: 'device_code',
    fingerprint: authorization ? authorization.deviceCode.fingerprint : fingerprint(code),
  });
  if (!authorization) throw E.invalidGrant('unknown device_code');
  event.deviceCode = authorization.deviceCode.fingerprint;
  event.scope = authorization.scope;
  if (authorization.clientId !== clientId) {
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
    authorization.status = 'consumed';
    const body = await mintTokens(context, exchange, {
      clientId,
      scope: authorization.scope,
      deviceCode: authorization.deviceCode.fingerprint,
    });
    return json(body);
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
  // Returned, not thrown: the most frequent answer of all should not build a stack trace.
  return { kind: 'error', error: E.authorizationPending() };
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
