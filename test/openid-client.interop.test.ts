// Interop: the unmodified `openid-client` v6 package, driven through the RFC 8628 device flow
// against a real lab over real HTTP, one lab per test. These tests pin down what a widely used
// client really does in each scenario, so the lab's scenarios are known to be reachable by an
// ordinary client and the trace is known to describe it correctly.
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import type { Lab, RequestEvent } from '../src/lab/index.ts';
import { labPerTest } from './helpers.ts';

// The tests run concurrently (most of their time is spent waiting for poll intervals), each
// with its own lab; afterEach closes the lab of the test that just finished.
const start = labPerTest();

function discover(running: Lab): Promise<client.Configuration> {
  return client.discovery(new URL(running.issuer), running.clientId, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
}

/** Runs the device flow with openid-client up to the end of polling. */
async function deviceFlow(running: Lab, scope = 'openid read') {
  const config = await discover(running);
  const authorization = await client.initiateDeviceAuthorization(config, { scope });
  // Our own signal, well past expires_in: without one openid-client gives up on its own after
  // expires_in seconds, and the expire scenario must see the server's expired_token instead.
  const polling = client.pollDeviceAuthorizationGrant(config, authorization, undefined, {
    signal: AbortSignal.timeout(60_000),
  });
  return { config, authorization, polling };
}

/** Token requests of the lab's only device authorization, in arrival order. */
function tokenPolls(running: Lab): RequestEvent[] {
  const requests = running.trace.events.filter((e): e is RequestEvent => e.type === 'request');
  const authorization = requests.find((e) => e.endpoint === 'device_authorization');
  expect(authorization?.deviceCode).toBeDefined();
  return requests
    .filter((e) => e.endpoint === 'token' && e.deviceCode === authorization?.deviceCode)
    .sort((a, b) => a.t - b.t);
}

function gaps(events: RequestEvent[]): number[] {
  return events.slice(1).map((e, i) => e.t - (events[i]?.t ?? 0));
}

/** The rejection of a promise, for assertions on its fields. */
async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the promise to reject');
}

describe.concurrent('openid-client v6 against the lab', () => {
  it('approve: gets an access token and an ID token, and the token works at /whoami', async (context) => {
    const running = await start(context, { scenario: 'approve' });
    const { config, polling } = await deviceFlow(running, 'openid read');
    const tokens = await polling;

    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope).toBe('openid read');
    // openid-client validated the ID token's claims (iss, aud, exp, iat, sub) already.
    expect(tokens.claims()?.sub).toBe('devicebound-user');
    expect(tokens.claims()?.aud).toBe(running.clientId);

    const answer = await client.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${running.resource}/whoami`),
      'GET',
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      sub: 'devicebound-user',
      scope: 'openid read',
      client_id: running.clientId,
    });

    // The scenario approves on poll 3, after two authorization_pending answers a second apart.
    const polls = tokenPolls(running);
    expect(polls.map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'authorization_pending',
      'success',
    ]);
    for (const gap of gaps(polls)) expect(gap).toBeGreaterThanOrEqual(990);
  }, 15_000);

  it('approve without openid: an access token, no ID token', async (context) => {
    const running = await start(context, { scenario: 'approve' });
    const { polling } = await deviceFlow(running, 'read write');
    const tokens = await polling;
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.claims()).toBeUndefined();

    const answer = await fetch(`${running.resource}/whoami`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ sub: 'devicebound-user', scope: 'read write' });
  }, 15_000);

  it('deny: polling rejects with access_denied', async (context) => {
    const running = await start(context, { scenario: 'deny' });
    const { polling } = await deviceFlow(running);
    const error = await rejection(polling);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect(error.error).toBe('access_denied');
    expect(error.status).toBe(400);
    expect(tokenPolls(running).map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'authorization_pending',
      'access_denied',
    ]);
  }, 15_000);

  it('expire: polling rejects with expired_token once expires_in has passed', async (context) => {
    const running = await start(context, { scenario: 'expire', expiresIn: 4 });
    const { authorization, polling } = await deviceFlow(running);
    expect(authorization.expires_in).toBe(4);
    const error = await rejection(polling);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect(error.error).toBe('expired_token');
    const outcomes = tokenPolls(running).map((e) => e.outcome);
    expect(outcomes.at(-1)).toBe('expired_token');
    expect(outcomes.slice(0, -1).every((o) => o === 'authorization_pending')).toBe(true);
  }, 15_000);

  it('slow-down: adds 5 s to the interval after slow_down, then succeeds', async (context) => {
    const running = await start(context, { scenario: 'slow-down' });
    const { polling } = await deviceFlow(running);
    const tokens = await polling;
    expect(tokens.access_token).toEqual(expect.any(String));

    const polls = tokenPolls(running);
    expect(polls.map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'slow_down',
      'authorization_pending',
      'success',
    ]);
    expect(polls.map((e) => e.intervalInForce)).toEqual([1, 1, 6, 6]);
    const [beforeSlowDown, afterSlowDown, later] = gaps(polls) as [number, number, number];
    // ≈1 s before the slow_down: the announced interval, plus the request's own latency.
    expect(beforeSlowDown).toBeGreaterThanOrEqual(990);
    expect(beforeSlowDown).toBeLessThan(2_000);
    // The lab clock and Node's timers tick in whole milliseconds: allow 10 ms of rounding.
    expect(afterSlowDown).toBeGreaterThanOrEqual(5_990);
    expect(afterSlowDown).toBeLessThan(8_000);
    expect(later).toBeGreaterThanOrEqual(5_990);
  }, 25_000);

  // What openid-client does on infrastructure faults. It retries a 503 only when the answer
  // carries Retry-After (pollGrant: `status === 503 && headers.has('retry-after')`); the lab's
  // fault is a bare 503 with an HTML body, as a proxy gives, so openid-client does not retry:
  // processDeviceCodeResponse rejects the non-OAuth answer and polling ends. The server-error
  // scenario can therefore not be completed by this client; that is what the lab is for.
  it('server-error (bare 503): polling rejects with OAUTH_RESPONSE_IS_NOT_CONFORM, no retry', async (context) => {
    const running = await start(context, { scenario: 'server-error' });
    const { polling } = await deviceFlow(running);
    const error = await rejection(polling);
    expect(error).toBeInstanceOf(client.ClientError);
    expect(error.code).toBe('OAUTH_RESPONSE_IS_NOT_CONFORM');
    expect(error.message).toBe('unexpected HTTP response status code');
    expect(error.cause).toBeInstanceOf(Response);
    expect((error.cause as Response).status).toBe(503);

    const polls = tokenPolls(running);
    expect(polls.map((e) => [e.poll, e.status, e.outcome])).toEqual([
      [1, 400, 'authorization_pending'],
      [2, 503, 'server_error_injected'],
    ]);
    // The scenario's dropped connection on poll 3 is never reached.
    expect(polls.some((e) => e.injected === 'drop')).toBe(false);
  }, 15_000);

  // A dropped connection surfaces as undici's `TypeError: fetch failed` (cause: SocketError
  // "other side closed"); openid-client passes TypeErrors through unchanged and stops polling.
  it('server-error (dropped connection): polling rejects with TypeError fetch failed', async (context) => {
    const running = await start(context, { scenario: 'server-error', faultPolls: { 2: 'drop' } });
    const { polling } = await deviceFlow(running);
    const error = await rejection(polling);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    // undici reports the closed socket as UND_ERR_SOCKET ("other side closed"); a reset would
    // be ECONNRESET. Either way it is a network error, not an OAuth answer.
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(
      (error.cause as { code?: string } | undefined)?.code,
    );

    const polls = tokenPolls(running);
    expect(polls.map((e) => [e.poll, e.status, e.outcome])).toEqual([
      [1, 400, 'authorization_pending'],
      [2, 0, 'connection_dropped'],
    ]);
  }, 15_000);

  it('refresh: refreshTokenGrant rotates the refresh token; the old one is then invalid_grant', async (context) => {
    const running = await start(context, { scenario: 'approve' });
    const { config, polling } = await deviceFlow(running, 'openid read offline_access');
    const first = await polling;
    const oldRefresh = first.refresh_token;
    expect(oldRefresh).toEqual(expect.any(String));

    const second = await client.refreshTokenGrant(config, oldRefresh as string);
    expect(second.access_token).toEqual(expect.any(String));
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(oldRefresh);
    expect(second.scope).toBe('openid read offline_access');

    const whoami = await fetch(`${running.resource}/whoami`, {
      headers: { authorization: `Bearer ${second.access_token}` },
    });
    expect(whoami.status).toBe(200);

    const error = await rejection(client.refreshTokenGrant(config, oldRefresh as string));
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect(error.error).toBe('invalid_grant');

    // Reuse revokes the whole family (RFC 9700 §4.14.2): the rotated token is dead too.
    const again = await rejection(client.refreshTokenGrant(config, second.refresh_token as string));
    expect(again.error).toBe('invalid_grant');
  }, 15_000);
});
