// devicebound/client against the lab over real HTTP, in every scenario. The lab records every
// request with a monotonic timestamp, so the timing rules of RFC 8628 §3.5 are asserted on
// what the server saw, not on what the client believes it did.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  DeviceFlowError,
  type DeviceFlowWarning,
  type DeviceSession,
  discover,
  OAuthResponseError,
  type PollProgress,
} from '../src/client/index.ts';
import type { Lab, RequestEvent } from '../src/lab/index.ts';
import { labPerTest } from './helpers.ts';

const start = labPerTest();

interface Run {
  session?: DeviceSession;
  error?: unknown;
  prompts: number;
  progress: PollProgress[];
  warnings: DeviceFlowWarning[];
  /** performance.now() when authorize() settled, and when it was called. */
  startedAt: number;
  endedAt: number;
}

/** Runs authorize() against a lab and records what happened, never throwing. */
async function signIn(
  lab: Lab,
  options: Partial<Parameters<typeof authorize>[0]> = {},
): Promise<Run> {
  const run: Run = {
    prompts: 0,
    progress: [],
    warnings: [],
    startedAt: performance.now(),
    endedAt: 0,
  };
  try {
    run.session = await authorize({
      ...(options.endpoints ? {} : { issuer: lab.issuer }),
      clientId: lab.clientId,
      scope: 'openid read',
      onPrompt: () => {
        run.prompts += 1;
      },
      onProgress: (progress) => run.progress.push(progress),
      onWarning: (warning) => run.warnings.push(warning),
      ...options,
    });
  } catch (error) {
    run.error = error;
  }
  run.endedAt = performance.now();
  return run;
}

const requests = (lab: Lab) =>
  lab.trace.events.filter((e): e is RequestEvent => e.type === 'request');
const byEndpoint = (lab: Lab, endpoint: RequestEvent['endpoint']) =>
  requests(lab).filter((e) => e.endpoint === endpoint);
const polls = (lab: Lab) => byEndpoint(lab, 'token').filter((e) => e.grantType?.includes('device'));
const gaps = (events: RequestEvent[]) =>
  events.slice(1).map((event, i) => event.t - (events[i] as RequestEvent).t);

/** The lab's clock rounds to 0.1 ms. */
const ROUNDING_MS = 0.2;

/** No canary the lab issued appears in `text`, raw or in the first 24 characters. */
function expectNoSecret(lab: Lab, ...texts: string[]) {
  const values = lab.canaries().map((canary) => canary.secret.reveal());
  expect(values.length).toBeGreaterThan(0);
  for (const text of texts) {
    for (const value of values) {
      expect(text).not.toContain(value);
      if (value.length > 24) expect(text).not.toContain(value.slice(0, 24));
    }
  }
}

/** Everything an error can show: message, fields, causes, inspect output, JSON. */
const dump = (value: unknown) =>
  `${inspect(value, { depth: 10, showHidden: true })}\n${JSON.stringify(value)}\n${String(value)}`;

describe.concurrent('devicebound/client against the lab, every scenario', () => {
  it('approve: waits the interval before every poll, gets a session, the token works, dispose revokes', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const run = await signIn(lab);
    const session = run.session as DeviceSession;
    expect(run.error).toBeUndefined();
    expect(run.prompts).toBe(1);
    expect(session.scope).toBe('openid read');
    expect(session.refreshTokenIssued).toBe(true);
    expect(session.idTokenIssued).toBe(true);
    expect(session.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 3_500_000);

    const [authorization] = byEndpoint(lab, 'device_authorization');
    const series = polls(lab);
    expect(series.map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'authorization_pending',
      'success',
    ]);
    // The first poll waits the interval too (RFC 8628 §3.5 "MUST wait at least interval").
    for (const gap of gaps([authorization as RequestEvent, ...series]))
      expect(gap).toBeGreaterThanOrEqual(1000 - ROUNDING_MS);

    const who = await fetch(`${lab.resource}/whoami`, {
      headers: { authorization: `Bearer ${session.accessToken()}` },
    });
    expect(who.status).toBe(200);
    expect(await who.json()).toMatchObject({ sub: 'devicebound-user', scope: 'openid read' });
    const token = session.accessToken();

    await session.dispose();
    expect(session.disposed).toBe(true);
    expect(() => session.accessToken()).toThrow(
      expect.objectContaining({ code: 'session_disposed' }),
    );
    // RFC 7009: refresh token first (it may take the access token with it), then the access token.
    const revocations = byEndpoint(lab, 'revocation');
    expect(revocations.map((e) => [e.outcome, e.presented[0]?.kind])).toEqual([
      ['success', 'refresh_token'],
      ['success', 'access_token'],
    ]);
    const after = await fetch(`${lab.resource}/whoami`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);
    // dispose() twice is one disposal.
    await session.dispose();
    expect(byEndpoint(lab, 'revocation')).toHaveLength(2);
    // A session never shows a token.
    expectNoSecret(lab, dump(session), `${session}`, JSON.stringify(session));
  }, 15_000);

  it('deny: stops at access_denied, polls no more, starts no new device authorization', async (context) => {
    const lab = await start(context, { scenario: 'deny' });
    const run = await signIn(lab);
    expect(run.error).toBeInstanceOf(OAuthResponseError);
    expect(run.error).toMatchObject({ code: 'access_denied', error: 'access_denied', status: 400 });
    expect(polls(lab).map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'authorization_pending',
      'access_denied',
    ]);
    await sleep(1500);
    expect(polls(lab)).toHaveLength(3);
    expect(byEndpoint(lab, 'device_authorization')).toHaveLength(1);
    expectNoSecret(lab, dump(run.error));
  }, 15_000);

  it('expire: stops on its own before expires_in, every poll reached the lab in time', async (context) => {
    const lab = await start(context, { scenario: 'expire' }); // expires_in = 4 s
    const run = await signIn(lab);
    expect(run.error).toBeInstanceOf(DeviceFlowError);
    expect(run.error).toMatchObject({ code: 'device_code_expired' });
    expect((run.error as Error).message).toMatch(/expires_in 4 s/);
    expect(run.endedAt - run.startedAt).toBeLessThan(4000);

    const [authorization] = byEndpoint(lab, 'device_authorization');
    const series = polls(lab);
    expect(series.length).toBeGreaterThanOrEqual(2);
    expect(series.every((e) => e.outcome === 'authorization_pending')).toBe(true);
    for (const poll of series) expect(poll.t).toBeLessThan((authorization?.t ?? 0) + 4000);
    await sleep(3000);
    expect(polls(lab)).toHaveLength(series.length);
    expect(byEndpoint(lab, 'device_authorization')).toHaveLength(1);
    // The last progress event says no poll fits any more.
    expect(run.progress.at(-1)?.nextPollIn).toBeUndefined();
    expectNoSecret(lab, dump(run.error));
  }, 15_000);

  it('slow-down: adds 5 s on slow_down and keeps it for every later poll', async (context) => {
    const lab = await start(context, { scenario: 'slow-down' });
    const run = await signIn(lab);
    expect(run.session).toBeDefined();
    const series = polls(lab);
    expect(series.map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'slow_down',
      'authorization_pending',
      'success',
    ]);
    const [beforeSlowDown, afterSlowDown, later] = gaps(series) as [number, number, number];
    expect(beforeSlowDown).toBeGreaterThanOrEqual(1000 - ROUNDING_MS);
    expect(afterSlowDown).toBeGreaterThanOrEqual(6000 - ROUNDING_MS);
    expect(later).toBeGreaterThanOrEqual(6000 - ROUNDING_MS);
    expect(afterSlowDown).toBeLessThan(7000);
    expect(run.progress.map((p) => [p.answer, p.interval])).toEqual([
      ['authorization_pending', 1],
      ['slow_down', 6],
      ['authorization_pending', 6],
    ]);
    await run.session?.dispose();
  }, 25_000);

  it('server-error: backs off after a bare 503 and a dropped connection (interval, then doubled), then signs in', async (context) => {
    const lab = await start(context, { scenario: 'server-error' });
    const run = await signIn(lab);
    expect(run.error).toBeUndefined();
    const series = polls(lab);
    expect(series.map((e) => e.outcome)).toEqual([
      'authorization_pending',
      'server_error_injected',
      'connection_dropped',
      'authorization_pending',
      'success',
    ]);
    const [first, after503, afterDrop, last] = gaps(series) as number[];
    expect(first).toBeGreaterThanOrEqual(1000 - ROUNDING_MS);
    expect(after503).toBeGreaterThanOrEqual(1000 - ROUNDING_MS);
    expect(afterDrop).toBeGreaterThanOrEqual(2000 - ROUNDING_MS); // second failure in a row
    expect(last).toBeGreaterThanOrEqual(1000 - ROUNDING_MS); // success resets the back-off
    expect(run.progress.map((p) => [p.answer, p.nextPollIn])).toEqual([
      ['authorization_pending', 1],
      ['server_error', 1],
      ['network_error', 2],
      ['authorization_pending', 1],
    ]);
    expect(run.progress[2]?.error?.code).toBe('network_error');
    await run.session?.dispose();
  }, 15_000);

  it('session: the access token fails clearly once expired, and is never refreshed', async (context) => {
    const lab = await start(context, { scenario: 'session' }); // token lifetime 2 s
    const run = await signIn(lab);
    const session = run.session as DeviceSession;
    expect(session.accessToken()).toMatch(/^eyJ/);
    expect(() => session.accessToken({ minValidity: 5 })).toThrow(
      expect.objectContaining({ code: 'session_expired' }),
    );
    const expiresAt = session.expiresAt?.getTime() ?? 0;
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(2000);
    await sleep(Math.max(0, expiresAt - Date.now()) + 50);
    expect(session.expired).toBe(true);
    let error: unknown;
    try {
      session.accessToken();
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'session_expired' });
    expect((error as Error).message).toMatch(/expired at .*sign in again/);
    // No refresh_token grant, ever; dispose() revokes the refresh token only (the access
    // token is already dead).
    await session.dispose();
    expect(byEndpoint(lab, 'token').filter((e) => e.grantType === 'refresh_token')).toEqual([]);
    expect(byEndpoint(lab, 'revocation').map((e) => e.presented[0]?.kind)).toEqual([
      'refresh_token',
    ]);
    expectNoSecret(lab, dump(error), dump(session));
  }, 15_000);
});

describe.concurrent('scopes', () => {
  it('asks for exactly the scope given, in order, and adds nothing', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const run = await signIn(lab, { scope: ['read', 'openid', 'read'] });
    expect(byEndpoint(lab, 'device_authorization')[0]?.scope).toBe('read openid');
    expect(run.warnings).toEqual([]);
    await run.session?.dispose();
  }, 15_000);

  it('offline_access only when asked, and then it says so', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const run = await signIn(lab, { scope: 'openid offline_access' });
    expect(byEndpoint(lab, 'device_authorization')[0]?.scope).toBe('openid offline_access');
    expect(run.warnings.map((w) => w.code)).toEqual(['offline_access_requested']);
    await run.session?.dispose();
  }, 15_000);

  it('refuses an empty scope before any request, unless told loudly', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    for (const scope of ['', '   ', []]) {
      const run = await signIn(lab, { scope });
      expect(run.error).toMatchObject({ code: 'scope_required' });
    }
    expect(requests(lab)).toEqual([]);

    const run = await signIn(lab, { scope: '', dangerouslyUseServerDefaultScope: true });
    expect(run.error).toBeUndefined();
    const [request] = byEndpoint(lab, 'device_authorization');
    expect(request?.scope).toBe('');
    await run.session?.dispose();
  }, 15_000);

  it('refuses a scope with a character RFC 6749 §3.3 forbids', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const run = await signIn(lab, { scope: 'read "write"' });
    expect(run.error).toMatchObject({ code: 'invalid_argument' });
    expect(requests(lab)).toEqual([]);
  });
});

describe.concurrent('stopping and endpoints', () => {
  it('an AbortSignal stops polling at once, and no poll follows', async (context) => {
    const lab = await start(context, { scenario: 'expire', expiresIn: 60 });
    const controller = new AbortController();
    const running = signIn(lab, {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.poll === 1) setTimeout(() => controller.abort(new Error('user quit')), 200);
      },
    });
    const run = await running;
    expect(run.error).toMatchObject({ code: 'aborted' });
    expect((run.error as Error).cause).toEqual(new Error('user quit'));
    await sleep(1500);
    expect(polls(lab)).toHaveLength(1);
  }, 15_000);

  it('explicit endpoints: no metadata request', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const run = await signIn(lab, {
      endpoints: {
        deviceAuthorization: `${lab.issuer}/device_authorization`,
        token: `${lab.issuer}/token`,
        revocation: `${lab.issuer}/revoke`,
      },
    });
    expect(run.error).toBeUndefined();
    await run.session?.dispose();
    expect(byEndpoint(lab, 'metadata')).toEqual([]);
    expect(byEndpoint(lab, 'revocation')).toHaveLength(2);
  }, 15_000);

  it('discovery reads RFC 8414 metadata and validates it', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const server = await discover(lab.issuer);
    expect(server).toMatchObject({
      issuer: lab.issuer,
      device_authorization_endpoint: `${lab.issuer}/device_authorization`,
      token_endpoint: `${lab.issuer}/token`,
      revocation_endpoint: `${lab.issuer}/revoke`,
    });
    expect(byEndpoint(lab, 'metadata').map((e) => e.path)).toEqual([
      '/.well-known/oauth-authorization-server',
    ]);
    const oidc = await discover(lab.issuer, { algorithm: 'oidc' });
    expect(oidc).toEqual(server);
  });

  it('an unknown client gets a clear oauth_error, and polling never starts', async (context) => {
    const lab = await start(context, { scenario: 'approve' });
    const run = await signIn(lab, { clientId: 'someone-else' });
    expect(run.error).toBeInstanceOf(OAuthResponseError);
    expect(run.error).toMatchObject({ code: 'oauth_error', error: 'invalid_client', status: 401 });
    expect(run.prompts).toBe(0);
    expect(polls(lab)).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
