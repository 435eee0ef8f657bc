// `devicebound probe`: the authorization server's side. The lab configured strong and weak
// (the verdicts must differ exactly where the configuration does), oidc-provider as it ships,
// a server that asks the probe to back off, the request budget, and bad input.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { type Lab, type LabOptions, startLab } from '../src/lab/index.ts';
import { SERVER_CHECK_IDS } from '../src/probe/checks.ts';
import { type ProbeReport, runProbe } from '../src/probe/run.ts';
import { runCli } from './cli.ts';
import { actAsUser, CLIENT_ID, quietProvider, startProvider } from './oidc-provider.ts';

quietProvider();
const labs: Lab[] = [];
afterAll(() => Promise.all(labs.map((lab) => lab.close())));

async function lab(options: LabOptions): Promise<Lab> {
  const started = await startLab({ scenario: 'approve', approveAfter: null, ...options });
  labs.push(started);
  return started;
}

const checks = (report: ProbeReport) => report.findings.map((f) => f.check).sort();

/** A probe of a lab that approves through its API, with the brute-force test on. */
function probeLab(target: Lab, extra: Partial<Parameters<typeof runProbe>[0]> = {}) {
  return runProbe({
    issuer: target.issuer,
    clientId: target.clientId,
    approve: async ({ userCode }) => target.approve(userCode),
    bruteForce: 8,
    ...extra,
  });
}

/** A loopback server answering with `handle`; every request it got is counted. */
async function serve(
  context: TestContext,
  handle: (request: IncomingMessage, response: ServerResponse, base: string) => void,
): Promise<{ base: string; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handle(request, response, base);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  context.onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { base, requests };
}

function json(response: ServerResponse, status: number, body: unknown, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

describe.concurrent('probe against the lab', () => {
  it('strong and weak: the verdicts differ exactly where the configuration does', async () => {
    const [strong, weak] = await Promise.all([
      lab({ interval: 5 }),
      lab({
        interval: 5,
        announceInterval: false,
        expiresIn: 3600,
        userCodeLength: 6,
        reusableDeviceCodes: true,
        rateLimitUserCodes: false,
        enforceInterval: false,
      }),
    ]);
    const [good, bad] = await Promise.all([probeLab(strong), probeLab(weak)]);
    // Offered by both: info, as RFC 8628 §5.4 asks the page to confirm, which the lab's does.
    expect(checks(good)).toEqual(['server-verification-uri-complete']);
    expect(good.summary.passed).toBe(true);
    expect(good.notRun).toEqual([]);
    expect(good.passed).toEqual(
      SERVER_CHECK_IDS.filter((id) => id !== 'server-verification-uri-complete'),
    );
    expect(checks(bad)).toEqual(
      [
        'server-long-device-code',
        'server-no-interval',
        'server-weak-user-code',
        'server-no-slow-down',
        'server-reusable-device-code',
        'server-no-rate-limit',
        'server-verification-uri-complete',
      ].sort(),
    );
    expect(bad.summary.passed).toBe(false);
    expect(bad.facts).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/user codes: 6 characters of base-20.*about 25\.9 bits/),
      ]),
    );
    const reusable = bad.findings.find((f) => f.check === 'server-reusable-device-code');
    expect(reusable?.evidence).toEqual([
      expect.stringMatching(/POST .*\/token → HTTP 200 \(tokens\)$/),
      expect.stringMatching(/POST .*\/token → HTTP 200 \(tokens\)$/),
    ]);
    const rate = bad.findings.find((f) => f.check === 'server-no-rate-limit');
    expect(rate?.message).toMatch(/8 wrong user codes in a row/);
    expect(good.facts).toEqual(
      expect.arrayContaining(['the verification page refused after 5 wrong user codes']),
    );
    // Polite: within the budget, and nothing after the page's 429.
    expect(good.requests.length).toBeLessThanOrEqual(good.maxRequests);
    expect(good.requests.at(-1)?.status).toBe(429);
    // No credential in the report: user codes, device codes and tokens never leave.
    const text = JSON.stringify([good, bad]);
    for (const canary of [...strong.canaries(), ...weak.canaries()]) {
      expect(text).not.toContain(canary.secret.reveal());
    }
  }, 90_000);

  it('the CLI: what it will send first, every format, exit 1 on findings, no credential anywhere', async () => {
    const weak = await lab({
      interval: 5,
      announceInterval: false,
      approveAfter: 1,
      reusableDeviceCodes: true,
    });
    const formats = ['json', 'sarif', 'junit', 'markdown', 'text'];
    const done = await runCli([
      'probe',
      weak.issuer,
      '--client-id',
      weak.clientId,
      '--approve-command',
      'test -n "$DEVICEBOUND_USER_CODE"',
      ...formats.flatMap((format) => ['--format', format, '--output', '-']),
    ]);
    expect(done.code, done.stderr).toBe(1);
    expect(done.stderr.split('\n')[0]).toMatch(
      /^devicebound probe: will send at most 30 requests to http:\/\/127\.0\.0\.1:\d+: discovery/,
    );
    expect(done.stdout).toContain('"check": "server-reusable-device-code"');
    expect(done.stdout).toContain('"ruleId": "server-no-interval"');
    expect(done.stdout).toMatch(/<testcase name="server-no-rate-limit"[^>]*>\s*<skipped/);
    expect(done.stdout).toMatch(/\| `server-no-interval` \| low \|/);
    expect(done.stdout).toMatch(/FAIL {2}http:\/\/127\.0\.0\.1:\d+: 2 findings at or above low/);
    for (const canary of weak.canaries()) {
      expect(done.stdout + done.stderr).not.toContain(canary.secret.reveal());
    }
  }, 60_000);
});

describe.concurrent('probe against oidc-provider', () => {
  it('as it ships: no interval, no slow_down, no limit on wrong user codes; single-use codes, revocation', async (context) => {
    const op = await startProvider(context);
    const report = await runProbe({
      issuer: op.issuer,
      clientId: CLIENT_ID,
      scope: 'openid',
      approve: async ({ verificationUriComplete }) => {
        expect(await actAsUser(verificationUriComplete ?? '', 'approve')).toBe('approved');
      },
      bruteForce: 6,
    });
    // From its source (node_modules/oidc-provider/lib): the device authorization answer has
    // no `interval` (actions/authorization/device.js); the device_code grant answers only
    // authorization_pending while pending, never slow_down (actions/grants/device_code.js);
    // the development device page has no limit on wrong codes; verification_uri_complete is
    // offered. Its user codes are 8 base-20 characters (helpers/defaults.js: charset
    // 'base-20', mask '****-****'), device codes are consumed on use, and revocation is on.
    expect(checks(report)).toEqual(
      [
        'server-no-interval',
        'server-no-slow-down',
        'server-no-rate-limit',
        'server-verification-uri-complete',
      ].sort(),
    );
    expect(report.passed).toEqual(
      expect.arrayContaining([
        'server-weak-user-code',
        'server-weak-device-code',
        'server-reusable-device-code',
        'server-wrong-client-accepted',
        'server-unknown-device-code',
        'server-no-revocation',
        'server-long-token',
      ]),
    );
  }, 60_000);
});

describe.concurrent('probe stays polite', () => {
  it('stops at once on 429 with Retry-After', async (context) => {
    const server = await serve(context, (request, response, base) => {
      if (request.url?.startsWith('/.well-known/oauth-authorization-server')) {
        json(response, 200, {
          issuer: base,
          device_authorization_endpoint: `${base}/device`,
          token_endpoint: `${base}/token`,
        });
      } else json(response, 429, { error: 'slow_down' }, { 'retry-after': '60' });
    });
    const report = await runProbe({ issuer: server.base, clientId: 'x' });
    expect(server.requests).toEqual([
      'GET /.well-known/oauth-authorization-server',
      'POST /device',
    ]);
    expect(report.stopped).toMatch(/asked the probe to back off \(HTTP 429, Retry-After: 60\)/);
  });

  it('never sends more than --max-requests: the server counts them', async (context) => {
    const server = await serve(context, (request, response, base) => {
      if (request.url?.startsWith('/.well-known/')) {
        json(response, 200, {
          issuer: base,
          device_authorization_endpoint: `${base}/device`,
          token_endpoint: `${base}/token`,
        });
      } else if (request.url === '/device') {
        json(response, 200, {
          device_code: 'a'.repeat(43),
          user_code: 'BCDF-GHJK',
          verification_uri: `${base}/activate`,
          expires_in: 600,
          interval: 5,
        });
      } else json(response, 400, { error: 'authorization_pending' });
    });
    const done = await runCli(['probe', server.base, '--max-requests', '4', '--format', 'json']);
    expect(server.requests).toHaveLength(4);
    const report = JSON.parse(done.stdout) as ProbeReport;
    expect(report.requests).toHaveLength(4);
    expect(report.stopped).toMatch(/stopped at --max-requests 4: .* was not sent/);
    expect(report.notRun.length).toBeGreaterThan(0);
  });
});

describe.concurrent('probe on bad input', () => {
  it('an issuer that is not a URL: exit 2', async () => {
    const done = await runCli(['probe', 'not a url']);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/issuer.*not a URL/);
    expect(done.stderr).not.toMatch(/\n\s+at /);
  });

  it('metadata that is not JSON, a redirect, a server that hangs: exit 3 with why, never a hang', async (context) => {
    const html = await serve(context, (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>hello</html>');
    });
    const notJson = await runCli(['probe', html.base]);
    expect(notJson.code).toBe(3);
    expect(notJson.stderr).toMatch(
      /metadata at .* is not a JSON object \(content-type text\/html\)/,
    );

    const moved = await serve(context, (_request, response) => {
      response.writeHead(301, { location: 'https://elsewhere.example/' });
      response.end();
    });
    const redirect = await runCli(['probe', moved.base]);
    expect(redirect.code).toBe(3);
    expect(redirect.stderr).toMatch(
      /answered HTTP 301 to https:\/\/elsewhere\.example\/: redirects are not followed/,
    );
    expect(moved.requests).toHaveLength(1);

    const silent = await serve(context, () => {});
    const started = Date.now();
    const hung = await runCli(['probe', silent.base, '--timeout', '1']);
    expect(hung.code).toBe(3);
    expect(hung.stderr).toMatch(/cannot reach the server: .*no answer within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('endpoints on another origin: reported, not followed without --allow-cross-origin', async (context) => {
    const other = await serve(context, (_request, response) => json(response, 500, {}));
    const server = await serve(context, (_request, response, base) =>
      json(response, 200, {
        issuer: base,
        device_authorization_endpoint: `${other.base}/device`,
        token_endpoint: `${base}/token`,
      }),
    );
    const report = await runProbe({ issuer: server.base, clientId: 'x' });
    expect(checks(report)).toEqual(['server-cross-origin-endpoint']);
    expect(report.findings[0]?.message).toMatch(
      /device_authorization_endpoint is on http:\/\/127\.0\.0\.1:\d+.*not followed/,
    );
    expect(other.requests).toEqual([]);
    expect(report.stopped).toMatch(/another origin: not followed/);
  });
});
