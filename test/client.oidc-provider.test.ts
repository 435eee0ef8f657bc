// Interop: devicebound/client against a real third-party authorization server, `oidc-provider`
// (npm) with its device flow, revocation and development interactions enabled, in-process over
// real HTTP. The user's side is driven through oidc-provider's own pages (enter the code,
// confirm, log in, consent — or abort), as a browser would, with a small cookie jar.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import {
  authorize,
  type DeviceAuthorization,
  type DeviceSession,
  discover,
} from '../src/client/index.ts';

const CLIENT_ID = 'devicebound-interop';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

// oidc-provider announces its development defaults (in-memory adapter, default pages, default
// TTLs) on the console. They are expected here.
const original = { info: console.info, warn: console.warn };
beforeAll(() => {
  for (const level of ['info', 'warn'] as const) {
    console[level] = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      original[level](...args);
    };
  }
});
afterAll(() => Object.assign(console, original));

interface Op {
  issuer: string;
  /** Every request the provider got: method, path, performance.now() at arrival. */
  requests: { method: string; path: string; at: number }[];
}

/** Starts oidc-provider on a free loopback port; it stops when the test finishes. */
async function startProvider(context: TestContext, deviceCodeTtl = 600): Promise<Op> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'none',
      },
    ],
    scopes: ['openid', 'offline_access', 'profile'],
    features: {
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      devInteractions: { enabled: true },
    },
    ttl: { DeviceCode: deviceCodeTtl },
  });
  const handle = provider.callback();
  const op: Op = { issuer, requests: [] };
  server.on('request', (request, response) => {
    op.requests.push({
      method: request.method ?? '',
      path: new URL(request.url ?? '/', issuer).pathname,
      at: performance.now(),
    });
    handle(request, response);
  });
  context.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return op;
}

/**
 * What a person does in a browser: opens verification_uri_complete, confirms the code, logs in
 * (any login works in oidc-provider's development pages) and consents — or presses Abort.
 * Follows redirects and submits the first form of each page, keeping cookies.
 */
async function actAsUser(uri: string, decision: 'approve' | 'deny'): Promise<string> {
  const jar = new Map<string, string>();
  const visit = async (url: string, body?: URLSearchParams) => {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(body && { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body && { body }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const equals = pair.indexOf('=');
      jar.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
    return {
      url,
      status: response.status,
      html: await response.text(),
      location: response.headers.get('location'),
    };
  };

  let page = await visit(uri);
  for (let step = 0; step < 20; step++) {
    if (page.location) {
      page = await visit(new URL(page.location, page.url).href);
      continue;
    }
    if (/Sign-in Success/.test(page.html)) return 'approved';
    const form = firstForm(page.html, page.url);
    if (!form) return `stuck at HTTP ${page.status}`;
    const aborting = decision === 'deny' && form.fields.has('confirm');
    if (aborting) form.fields.set('abort', 'yes');
    if (form.fields.has('login')) {
      form.fields.set('login', 'alice');
      form.fields.set('password', 'any');
    }
    page = await visit(form.action, form.fields);
    if (aborting) return 'denied';
  }
  return 'too many steps';
}

function firstForm(html: string, base: string) {
  const match = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const fields = new URLSearchParams();
  for (const [, attributes = ''] of (match[2] ?? '').matchAll(/<input([^>]*)>/gi)) {
    const name = /name="([^"]*)"/.exec(attributes)?.[1];
    const value = /value="([^"]*)"/.exec(attributes)?.[1] ?? '';
    if (name) fields.set(name, value.replace(/&amp;/g, '&'));
  }
  return { action: new URL((match[1] ?? '').replace(/&amp;/g, '&'), base).href, fields };
}

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
