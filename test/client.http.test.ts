// devicebound/client against a scripted HTTP server, for the answers the lab's scenarios do not
// give: Retry-After, hanging requests, long failure streaks near the deadline, no `interval`,
// redirects, malformed answers, servers that echo secrets back.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { describe, expect, it, type TestContext } from 'vitest';
import {
  type AuthorizationServer,
  authorize,
  type DeviceSession,
  discover,
  type PollProgress,
} from '../src/client/index.ts';

type Answer =
  | { status?: number; json?: unknown; text?: string; headers?: Record<string, string> }
  | 'hang'
  | 'drop';

interface Scripted {
  url: string;
  /** Requests in arrival order: path, form body, performance.now() at arrival. */
  seen: { path: string; form: URLSearchParams; at: number }[];
  close(): Promise<void>;
}

/**
 * A server that answers each request with `script(path, form, n)`; `n` counts per path. It
 * closes when the test that made it finishes (tests run concurrently).
 */
async function scripted(
  context: TestContext,
  script: (path: string, form: URLSearchParams, n: number) => Answer,
): Promise<Scripted> {
  const seen: Scripted['seen'] = [];
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const at = performance.now();
    let body = '';
    for await (const chunk of request) body += chunk;
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const form = new URLSearchParams(body);
    seen.push({ path, form, at });
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const answer = script(path, form, n);
    if (answer === 'hang') {
      hanging.add(response);
      return;
    }
    if (answer === 'drop') {
      request.socket.destroy();
      return;
    }
    const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json));
    response.writeHead(answer.status ?? 200, {
      'content-type': answer.json === undefined ? 'text/html' : 'application/json',
      ...answer.headers,
    });
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scriptedServer: Scripted = {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  context.onTestFinished(() => scriptedServer.close());
  return scriptedServer;
}

const DEVICE_CODE = 'dc-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const USER_CODE = 'WDJB-MJHT';
const ACCESS_TOKEN = 'at-0123456789abcdefghijklmnopqrstuvwxyz';

/** A device authorization answer; `extra` overrides or adds fields. */
const authorization = (extra: Record<string, unknown> = {}) => ({
  json: {
    device_code: DEVICE_CODE,
    user_code: USER_CODE,
    verification_uri: 'https://example.com/device',
    expires_in: 30,
    interval: 1,
    ...extra,
  },
});
const pending = (headers: Record<string, string> = {}) => ({
  status: 400,
  json: { error: 'authorization_pending' },
  headers,
});
const tokens = (extra: Record<string, unknown> = {}) => ({
  json: { access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 60, ...extra },
});

function endpointsOf(server: Scripted): AuthorizationServer {
  return {
    issuer: server.url,
    device_authorization_endpoint: `${server.url}/device`,
    token_endpoint: `${server.url}/token`,
    revocation_endpoint: `${server.url}/revoke`,
  };
}

async function run(
  server: Scripted,
  options: Partial<Parameters<typeof authorize>[0]> = {},
): Promise<{ session?: DeviceSession; error?: unknown; progress: PollProgress[] }> {
  const progress: PollProgress[] = [];
  try {
    const session = await authorize({
      server: endpointsOf(server),
      clientId: 'cli',
      scope: 'read',
      onPrompt: () => {},
      onProgress: (p) => progress.push(p),
      onWarning: () => {},
      ...options,
    });
    return { session, progress };
  } catch (error) {
    return { error, progress };
  }
}

const pollTimes = (server: Scripted) =>
  server.seen.filter((r) => r.path === '/token').map((r) => r.at);
const gapsOf = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));
const deviceAt = (server: Scripted) => server.seen.find((r) => r.path === '/device')?.at ?? 0;

describe.concurrent('polling timing', () => {
  it('honours Retry-After on a 503 (seconds) and on authorization_pending (HTTP-date)', async (context) => {
    const server = await scripted(context, (path, _form, n) => {
      if (path === '/device') return authorization();
      if (n === 1) return { status: 503, text: 'busy', headers: { 'retry-after': '3' } };
      if (n === 2) return pending({ 'retry-after': new Date(Date.now() + 2500).toUTCString() });
      return tokens();
    });
    const result = await run(server);
    expect(result.error).toBeUndefined();
    const [afterRetryAfter, afterDate] = gapsOf(pollTimes(server)) as [number, number];
    expect(afterRetryAfter).toBeGreaterThanOrEqual(3000);
    // An HTTP-date has whole seconds: at least 1.5 s, and never less than the interval.
    expect(afterDate).toBeGreaterThanOrEqual(1500);
  }, 15_000);

  it('a hanging request times out, counts as a failed connection and is retried with back-off', async (context) => {
    const server = await scripted(context, (path, _form, n) => {
      if (path === '/device') return authorization();
      if (n <= 2) return 'hang';
      return tokens();
    });
    const result = await run(server, { timeout: 0.5 });
    expect(result.error).toBeUndefined();
    expect(result.progress.map((p) => [p.answer, p.error?.code, p.nextPollIn])).toEqual([
      ['network_error', 'request_timeout', 1],
      ['network_error', 'request_timeout', 2],
    ]);
    const [first, second] = gapsOf(pollTimes(server)) as [number, number];
    // 0.5 s timeout + 1 s, then + 2 s of back-off. The server cannot see when the client gave
    // up, only when each request arrived: allow for the first request's own transit time.
    expect(first).toBeGreaterThanOrEqual(1450);
    expect(second).toBeGreaterThanOrEqual(2450);
  }, 15_000);

  it('back-off doubles, but the last retry is moved up to fit before the deadline', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device'
        ? authorization({ expires_in: 8, interval: 1 })
        : { status: 502, text: 'bad gateway' },
    );
    const result = await run(server);
    expect(result.error).toMatchObject({ code: 'device_code_expired' });
    expect((result.error as Error).message).toMatch(/HTTP 502/);
    // Polls at ≈1, 2 and 4 s (waits 1, 1, 2 s); the next wait would be 4 s (→ 8 s), past the
    // latest allowed send time (8 - 1 = 7 s), so it is moved up to 7 s: still ≥ the interval.
    const times = pollTimes(server);
    const offsets = times.map((t) => t - deviceAt(server));
    expect(offsets).toHaveLength(4);
    const [first, second, third] = gapsOf(times) as [number, number, number];
    expect(first).toBeGreaterThanOrEqual(1000);
    expect(second).toBeGreaterThanOrEqual(2000);
    expect(third).toBeGreaterThanOrEqual(1000);
    expect(third).toBeLessThan(4000);
    expect(offsets.at(-1)).toBeGreaterThan(6500);
    expect(offsets.at(-1)).toBeLessThanOrEqual(7500);
    expect(result.progress.map((p) => p.nextPollIn === undefined)).toEqual([
      false,
      false,
      false,
      true,
    ]);
  }, 15_000);

  it('a Retry-After past the deadline ends polling instead of polling early', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device'
        ? authorization({ expires_in: 5 })
        : { status: 503, text: '', headers: { 'retry-after': '60' } },
    );
    const started = performance.now();
    const result = await run(server);
    expect(result.error).toMatchObject({ code: 'device_code_expired' });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(pollTimes(server)).toHaveLength(1);
  }, 15_000);

  it('waits 5 s before the first poll when the server gives no interval (RFC 8628 §3.2)', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device' ? authorization({ interval: undefined }) : tokens(),
    );
    const result = await run(server);
    expect(result.error).toBeUndefined();
    const [poll] = pollTimes(server);
    expect((poll ?? 0) - deviceAt(server)).toBeGreaterThanOrEqual(5000);
  }, 15_000);

  it('slow_down with a longer interval in the answer (GitHub style) takes the longer one', async (context) => {
    const server = await scripted(context, (path, _form, n) => {
      if (path === '/device') return authorization();
      if (n === 1) return { status: 400, json: { error: 'slow_down', interval: 8 } };
      return tokens();
    });
    const result = await run(server);
    expect(result.progress.map((p) => p.interval)).toEqual([8]);
    const [gap] = gapsOf(pollTimes(server));
    expect(gap).toBeGreaterThanOrEqual(8000);
  }, 15_000);
});

describe.concurrent('answers that end polling', () => {
  it('a 429 or any other non-OAuth 4xx ends polling with http_error', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device' ? authorization() : { status: 429, text: 'too many' },
    );
    const result = await run(server);
    expect(result.error).toMatchObject({ code: 'http_error' });
    expect(pollTimes(server)).toHaveLength(1);
  });

  it('invalid_grant ends polling; a server echoing the device code does not leak it', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device'
        ? authorization()
        : {
            status: 400,
            json: {
              error: 'invalid_grant',
              error_description: `unknown device_code ${DEVICE_CODE} for ${USER_CODE}\u001b[31m`,
            },
          },
    );
    const result = await run(server);
    expect(result.error).toMatchObject({ code: 'oauth_error', error: 'invalid_grant' });
    const everything = inspect(result.error, { depth: 10, showHidden: true });
    expect(everything).not.toContain(DEVICE_CODE);
    expect(everything).not.toContain(USER_CODE);
    expect(everything).not.toContain('\u001b');
    expect((result.error as Error).message).toMatch(/unknown device_code \[REDACTED\]/);
  });

  it('a redirect from the token endpoint is not followed', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device'
        ? authorization()
        : { status: 307, headers: { location: 'https://evil.example/token' }, text: '' },
    );
    const result = await run(server);
    expect(result.error).toMatchObject({ code: 'http_error' });
    expect((result.error as Error).message).toMatch(/redirect/);
  });

  it('refuses malformed device authorization answers', async (context) => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ device_code: undefined }, /"device_code" is missing/],
      [{ user_code: 42 }, /"user_code" is missing or not a string/],
      [{ user_code: 'ABCD\u001b]0;pwned\u0007' }, /control characters/],
      [{ verification_uri: 'javascript:alert(1)' }, /not an http\(s\) URL/],
      [{ verification_uri: '/device' }, /not an absolute URL/],
      [{ expires_in: undefined }, /"expires_in" is missing/],
      [{ expires_in: -1 }, /"expires_in" must be a positive number/],
      [{ interval: 0 }, /"interval" must be a positive number/],
      [{ interval: 'soon' }, /"interval" must be a positive number/],
    ];
    for (const [fields, message] of cases) {
      const server = await scripted(context, () => authorization(fields));
      const result = await run(server);
      expect(result.error, JSON.stringify(fields)).toMatchObject({ code: 'invalid_response' });
      expect((result.error as Error).message).toMatch(message);
      expect(pollTimes(server)).toEqual([]);
    }
  });

  it('refuses malformed token answers, and one with an unsupported token_type', async (context) => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ access_token: '' }, /"access_token" is missing/],
      [{ token_type: 'mac' }, /"token_type" must be Bearer/],
      [{ token_type: undefined }, /"token_type" must be Bearer/],
      [{ expires_in: 'never' }, /"expires_in" must be a number/],
      [{ refresh_token: 7 }, /"refresh_token" must be a non-empty string/],
      [{ scope: 'a "b"' }, /"scope" is not a valid scope/],
    ];
    for (const [fields, message] of cases) {
      const server = await scripted(context, (path) =>
        path === '/device' ? authorization() : tokens(fields),
      );
      const result = await run(server);
      expect(result.error, JSON.stringify(fields)).toMatchObject({ code: 'invalid_response' });
      expect((result.error as Error).message).toMatch(message);
      expect(inspect(result.error, { depth: 10 })).not.toContain(ACCESS_TOKEN);
    }
  }, 20_000);

  it('an invalid_scope answer to an empty scope is scope_required', async (context) => {
    const server = await scripted(context, () => ({
      status: 400,
      json: { error: 'invalid_scope', error_description: 'scope is required' },
    }));
    const result = await run(server, { scope: '', dangerouslyUseServerDefaultScope: true });
    expect(result.error).toMatchObject({ code: 'scope_required', error: 'invalid_scope' });
    expect(server.seen[0]?.form.has('scope')).toBe(false);
  });
});

describe.concurrent('session', () => {
  it('without expires_in, the JWT exp bounds the session; scope widening is reported', async (context) => {
    const exp = Math.floor(Date.now() / 1000) + 120;
    const jwt = `${b64({ alg: 'none' })}.${b64({ exp, sub: 'x' })}.`;
    const server = await scripted(context, (path) =>
      path === '/device'
        ? authorization()
        : tokens({ access_token: jwt, expires_in: undefined, scope: 'read admin' }),
    );
    const warnings: string[] = [];
    const result = await run(server, { onWarning: (w) => warnings.push(w.code) });
    expect(result.session?.expiresAt?.getTime()).toBe(exp * 1000);
    expect(result.session?.scope).toBe('read admin');
    expect(warnings).toEqual(['scope_widened']);
  });

  it('dispose() forgets the tokens even when revocation fails, and says so', async (context) => {
    const server = await scripted(context, (path) => {
      if (path === '/device') return authorization();
      if (path === '/token') return tokens({ refresh_token: 'rt-secret-value-0123456789' });
      return { status: 503, text: 'down' };
    });
    const result = await run(server);
    const session = result.session as DeviceSession;
    const error = await session.dispose().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'revocation_failed' });
    expect(session.disposed).toBe(true);
    expect(() => session.accessToken()).toThrow(/disposed/);
    const revocations = server.seen.filter((r) => r.path === '/revoke');
    expect(revocations.map((r) => r.form.get('token_type_hint'))).toEqual([
      'refresh_token',
      'access_token',
    ]);
    expect(revocations.every((r) => r.form.get('client_id') === 'cli')).toBe(true);
    expect(inspect(error, { depth: 10 })).not.toContain('rt-secret-value');
  });

  it('without a revocation endpoint, dispose() forgets the tokens and sends nothing', async (context) => {
    const server = await scripted(context, (path) =>
      path === '/device' ? authorization() : tokens(),
    );
    const { revocation_endpoint: _none, ...withoutRevocation } = endpointsOf(server);
    const result = await run(server, { server: withoutRevocation });
    await result.session?.dispose();
    expect(result.session?.disposed).toBe(true);
    expect(server.seen.map((r) => r.path)).toEqual(['/device', '/token']);
  });
});

describe.concurrent('discovery and transport', () => {
  it('falls back to OpenID discovery on 404, and checks the issuer', async (context) => {
    let issuer = '';
    const server = await scripted(context, (path) => {
      if (path === '/.well-known/openid-configuration') {
        return {
          json: {
            issuer,
            device_authorization_endpoint: `${issuer}/device`,
            token_endpoint: `${issuer}/token`,
          },
        };
      }
      return { status: 404, text: 'not found' };
    });
    issuer = server.url;
    const found = await discover(server.url);
    expect(found.token_endpoint).toBe(`${server.url}/token`);
    expect(server.seen.map((r) => r.path)).toEqual([
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
    ]);
    issuer = 'https://impostor.example';
    await expect(discover(server.url)).rejects.toMatchObject({ code: 'discovery_failed' });
  });

  it('a server without a device authorization endpoint is unsupported_server', async (context) => {
    let issuer = '';
    const server = await scripted(context, () => ({
      json: { issuer, token_endpoint: `${issuer}/t` },
    }));
    issuer = server.url;
    await expect(discover(server.url)).rejects.toMatchObject({ code: 'unsupported_server' });
  });

  it('plain http outside loopback is refused before any request, unless dangerously allowed', async () => {
    let called = 0;
    const fetchSpy: typeof fetch = async () => {
      called += 1;
      return new Response('{}', { status: 404 });
    };
    await expect(
      authorize({
        issuer: 'http://auth.example.com',
        clientId: 'cli',
        scope: 'read',
        onPrompt: () => {},
        fetch: fetchSpy,
      }),
    ).rejects.toMatchObject({ code: 'insecure_request' });
    expect(called).toBe(0);
    await expect(
      discover('http://auth.example.com', { fetch: fetchSpy, dangerouslyAllowInsecureHttp: true }),
    ).rejects.toMatchObject({ code: 'discovery_failed' });
    expect(called).toBe(2);
  });

  it('a connection refused outside polling is network_error', async (context) => {
    const server = await scripted(context, () => ({ status: 500 }));
    const url = server.url;
    await server.close();
    await expect(discover(url)).rejects.toMatchObject({ code: 'network_error' });
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
