// The `fault` scenario over real HTTP: after approval the lab cuts the first token answer short
// (a complete response whose JSON breaks off past the access token), then answers the next poll
// properly; the resource answers a good token with a 500 HTML page once, then a 401 once, then
// normally. In the generic dialect and in GitHub's and Microsoft's, whose token answers and
// APIs differ.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Lab, type LabOptions, type RequestEvent, startLab } from '../src/lab/index.ts';
import { truncationPoint } from '../src/lab/server.ts';

const labs: Lab[] = [];
afterEach(async () => {
  await Promise.all(labs.splice(0).map((lab) => lab.close()));
});

async function lab(options: LabOptions = {}): Promise<Lab> {
  const started = await startLab({
    scenario: 'fault',
    interval: 1,
    approveAfter: null,
    ...options,
  });
  labs.push(started);
  return started;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request as `host` would get it through the proxy (Host header), or to the lab itself. */
function call(
  started: Lab,
  method: string,
  path: string,
  options: {
    host?: string | undefined;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const url = new URL(started.issuer);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (options.host) headers.host = options.host;
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const requests = (started: Lab) =>
  started.trace.events.filter((e): e is RequestEvent => e.type === 'request');

const accessTokens = (started: Lab) =>
  started
    .canaries()
    .filter((c) => c.kind === 'access_token')
    .map((c) => c.secret.reveal());

const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A flow's endpoints and shapes in each dialect. */
const DIALECTS = [
  {
    name: 'generic',
    options: {},
    host: undefined,
    authorize: '/device_authorization',
    token: '/token',
    resource: '/whoami',
    accept: {},
  },
  {
    name: 'github',
    options: { dialect: 'github', hosts: ['github.com', 'api.github.com'] } as LabOptions,
    host: 'github.com',
    api: 'api.github.com',
    authorize: '/login/device/code',
    token: '/login/oauth/access_token',
    resource: '/user',
    accept: { accept: 'application/json' },
  },
  {
    name: 'microsoft',
    options: {
      dialect: 'microsoft',
      hosts: ['login.microsoftonline.com', 'graph.microsoft.com'],
    } as LabOptions,
    host: 'login.microsoftonline.com',
    api: 'graph.microsoft.com',
    authorize: '/organizations/oauth2/v2.0/devicecode',
    token: '/organizations/oauth2/v2.0/token',
    resource: '/v1.0/me',
    accept: {},
  },
] as const;

describe.each(DIALECTS)('the fault scenario, $name dialect', (dialect) => {
  it('cuts the first token answer short, answers the next poll properly, then gives the resource a 500 page and a 401 once each', async () => {
    const started = await lab(dialect.options);
    const { clientId } = started;
    const authorization = await call(started, 'POST', dialect.authorize, {
      host: dialect.host,
      form: { client_id: clientId, scope: 'openid' },
      headers: dialect.accept,
    });
    const { device_code: code, user_code: userCode } = JSON.parse(authorization.text) as Record<
      string,
      string
    >;
    started.approve(userCode ?? '');
    const poll = () =>
      call(started, 'POST', dialect.token, {
        host: dialect.host,
        form: { client_id: clientId, device_code: code ?? '', grant_type: GRANT },
        headers: dialect.accept,
      });

    // A complete HTTP 200 whose body breaks off past the whole access token.
    const cut = await poll();
    expect(cut.status).toBe(200);
    expect(Number(cut.headers['content-length'])).toBe(Buffer.byteLength(cut.text));
    expect(() => JSON.parse(cut.text)).toThrow(SyntaxError);
    const [first] = accessTokens(started);
    expect(first && cut.text.includes(`"access_token":"${first}"`)).toBe(true);

    // The next poll: a proper answer with new tokens; then the code is spent.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const proper = await poll();
    expect(proper.status).toBe(200);
    const token = (JSON.parse(proper.text) as { access_token: string }).access_token;
    expect(token).not.toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const again = await poll();
    expect(again.text).toMatch(/invalid_grant|bad_verification_code|already/);

    const resource = () =>
      call(started, 'GET', dialect.resource, {
        host: 'api' in dialect ? dialect.api : undefined,
        headers: { authorization: `Bearer ${token}` },
      });
    const broken = await resource();
    expect(broken.status).toBe(500);
    expect(broken.headers['content-type']).toMatch(/^text\/html/);
    expect(broken.text).toMatch(/<title>500 Internal Server Error<\/title>/);
    const refused = await resource();
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    const fine = await resource();
    expect(fine.status).toBe(200);

    expect(
      requests(started)
        .filter((e) => e.endpoint === 'token' || e.endpoint === 'resource')
        .map((e) => [e.endpoint, e.status, e.outcome, e.injected]),
    ).toEqual([
      ['token', 200, 'truncated_response', 'truncated'],
      ['token', 200, 'success', undefined],
      ['token', expect.any(Number), 'invalid_grant', undefined],
      ['resource', 500, 'resource_error_injected', 'resource-error'],
      ['resource', 401, 'invalid_token', 'unauthorized'],
      ['resource', 200, 'success', undefined],
    ]);
    // The cut-off answer's tokens were issued, so a program that prints or stores them is caught.
    const cutEvent = requests(started).find((e) => e.outcome === 'truncated_response');
    expect(cutEvent?.issued.map((ref) => ref.kind)).toContain('access_token');
  });
});

describe('the fault scenario', () => {
  it('leaves an unknown or expired token to the usual invalid_token, and gives its faults only to a good one', async () => {
    const started = await lab();
    const unknown = await call(started, 'GET', '/whoami', {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(unknown.status).toBe(401);
    expect(requests(started).at(-1)?.injected).toBeUndefined();
  });

  it('is off in the other scenarios', async () => {
    const started = await startLab({ scenario: 'approve', interval: 1 });
    labs.push(started);
    expect([...started.settings.afterApprovalFaults]).toEqual([]);
  });
});

describe('truncationPoint', () => {
  it('cuts halfway through what follows the access token, in JSON and in a form', () => {
    const json = '{"access_token":"abc","token_type":"Bearer","expires_in":3600}';
    const cutJson = json.slice(0, truncationPoint(json));
    expect(cutJson.startsWith('{"access_token":"abc"')).toBe(true);
    expect(cutJson.length).toBeLessThan(json.length);
    const form = 'access_token=abc&scope=repo&token_type=bearer';
    expect(form.slice(0, truncationPoint(form)).startsWith('access_token=abc&')).toBe(true);
    // Without an access token: half of it.
    expect(truncationPoint('0123456789')).toBe(5);
  });
});
