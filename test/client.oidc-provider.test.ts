// Interop: devicebound/client against a real third-party authorization server, `oidc-provider`
// (npm) with its device flow, revocation and development interactions enabled, in-process over
// real HTTP. The user's side is driven through oidc-provider's own pages (enter the code,
// confirm, log in, consent — or abort), as a browser would, with a small cookie jar.
import { describe, expect, it } from 'vitest';
import {
  authorize,
  type DeviceAuthorization,
  type DeviceSession,
  discover,
} from '../src/client/index.ts';
import { actAsUser, CLIENT_ID, type Op, quietProvider, startProvider } from './oidc-provider.ts';

quietProvider();

interface Outcome {
  session?: DeviceSession;
  error?: unknown;
  authorization?: DeviceAuthorization;
  user?: Promise<string>;
}

async function signIn(
  op: Op,
  decision: 'approve' | 'deny' | 'nobody',
  scope = 'openid profile',
): Promise<Outcome> {
  const outcome: Outcome = {};
  try {
    outcome.session = await authorize({
      issuer: op.issuer,
      clientId: CLIENT_ID,
      scope,
      onWarning: () => {},
      onPrompt: (authorization) => {
        outcome.authorization = authorization;
        if (decision !== 'nobody') {
          outcome.user = actAsUser(authorization.verificationUriComplete ?? '', decision);
        }
      },
    });
  } catch (error) {
    outcome.error = error;
  }
  return outcome;
}

const tokenPolls = (op: Op) =>
  op.requests.filter((r) => r.method === 'POST' && r.path === '/token');

describe.concurrent('devicebound/client against oidc-provider', () => {
  it('discovers, signs in through the real pages, uses the token, revokes it on dispose', async (context) => {
    const op = await startProvider(context);
    const outcome = await signIn(op, 'approve', 'openid profile offline_access');
    expect(await outcome.user).toBe('approved');
    const session = outcome.session as DeviceSession;
    expect(outcome.error).toBeUndefined();
    expect(session.scope).toBe('openid profile offline_access');
    expect(session.refreshTokenIssued).toBe(true);
    expect(session.idTokenIssued).toBe(true);

    // oidc-provider sends no `interval`: the client waited the RFC 8628 default of 5 s.
    expect(outcome.authorization?.interval).toBeUndefined();
    const device = op.requests.find((r) => r.path === '/device/auth');
    const [firstPoll] = tokenPolls(op);
    expect((firstPoll?.at ?? 0) - (device?.at ?? 0)).toBeGreaterThanOrEqual(5000);
    // oidc-provider serves RFC 8414 metadata as well as OpenID discovery; the first is read.
    expect(op.requests[0]?.path).toBe('/.well-known/oauth-authorization-server');
    expect(await discover(op.issuer, { algorithm: 'oidc' })).toEqual(await discover(op.issuer));

    const token = session.accessToken();
    const me = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: 'alice' });

    await session.dispose();
    expect(op.requests.filter((r) => r.path === '/token/revocation')).toHaveLength(2);
    const after = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
  }, 20_000);

  it('deny (the Abort button): access_denied, and polling stops', async (context) => {
    const op = await startProvider(context);
    const outcome = await signIn(op, 'deny');
    expect(await outcome.user).toBe('denied');
    expect(outcome.error).toMatchObject({ code: 'access_denied', error: 'access_denied' });
    const polls = tokenPolls(op).length;
    expect(polls).toBe(1);
    await sleep(1000);
    expect(tokenPolls(op)).toHaveLength(polls);
    expect(op.requests.filter((r) => r.path === '/device/auth')).toHaveLength(1);
  }, 20_000);

  it('expire: stops on its own before the device code expires, after one poll', async (context) => {
    const op = await startProvider(context, 8);
    const started = performance.now();
    const outcome = await signIn(op, 'nobody');
    expect(outcome.error).toMatchObject({ code: 'device_code_expired' });
    expect(outcome.authorization?.expiresIn).toBe(8);
    // Poll at 5 s; the next would be at 10 s, after expires_in (8 s): not sent.
    expect(tokenPolls(op)).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(8000);
  }, 20_000);

  it('an AbortSignal during the wait ends the sign-in before any poll', async (context) => {
    const op = await startProvider(context);
    const controller = new AbortController();
    const signingIn = authorize({
      issuer: op.issuer,
      clientId: CLIENT_ID,
      scope: 'openid',
      signal: controller.signal,
      onPrompt: () => {
        setTimeout(() => controller.abort(), 300);
      },
    });
    await expect(signingIn).rejects.toMatchObject({ code: 'aborted' });
    await sleep(5500);
    expect(tokenPolls(op)).toEqual([]);
  }, 20_000);
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
