// The real-client matrix, npm part: three unmodified device-flow libraries, each driven by a
// short script written the way its documentation shows (examples/real/*.mjs), run through
// `devicebound check` (the real CLI, as a child process) in every scenario. The lab plays
// github.com / api.github.com (GitHub dialect), login.microsoftonline.com / graph.microsoft.com
// (Microsoft dialect) through the egress proxy, and its own https issuer (generic dialect).
//
// Every expected finding, and every clean verdict one might suspect, is explained below from
// the library's own source. Links point at tagged sources:
// - @octokit/auth-oauth-device v8.0.4, @octokit/oauth-methods v6.0.2, @octokit/request v10.0.11,
//   @octokit/request-error v7.1.1: the newest tags in the stored mirrors; the installed versions
//   (8.0.5, 6.0.5, 10.0.16, 7.1.2) ship the same code in dist-src (read in node_modules).
// - @azure/msal-node 7.2.4 and its pinned @azure/msal-common 16.18.0: line numbers are those of
//   the src/ folder both npm packages ship (lib/msal-node/src, lib/msal-common/src in the repo).
// - openid-client v6.8.7 src/index.ts; the installed 6.9.0 moved the same loop into a shared
//   pollGrant() (node_modules/openid-client/build/index.js) with the same waits and stops.
//
// All three libraries send their requests with Node's global fetch, which tunnels through
// HTTPS_PROXY only when NODE_USE_ENV_PROXY=1 (https://nodejs.org/api/cli.html#node_use_env_proxy1),
// which the runner sets: no custom fetch or agent is needed, as a real user would run them.
// - octokit: https://github.com/octokit/request.js/blob/v10.0.11/src/fetch-wrapper.ts#L13-L14
// - msal-node 3+: https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/network/HttpClient.ts#L128
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const work = await mkdtemp(join(tmpdir(), 'devicebound-real-npm-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const ALL = ['approve', 'deny', 'expire', 'slow-down', 'server-error', 'session', 'fault'] as const;
type Scenario = (typeof ALL)[number];

interface JsonReport {
  findings: { check: string; scenario: string; message: string }[];
  scenarios: {
    scenario: Scenario;
    exitCode: number | null;
    timedOut: boolean;
    noLabContact: boolean;
    laterSignIns?: string[];
  }[];
  evidence: {
    runs: {
      scenario: Scenario;
      lab: { issuer: string };
      events: { type: string; method?: string; host?: string; path?: string }[];
    }[];
  };
}

interface Client {
  name: string;
  /** test/fixtures/real/<policy>.yaml */
  policy: string;
  /**
   * The checks that fire, per scenario. A list of lists names every outcome the library's own
   * source allows (see msal-node's expire); the comment beside it says why.
   */
  fires: Record<Scenario, string[] | string[][]>;
  /** The exit code of the script, per scenario. */
  exits: Record<Scenario, number>;
  /** What the script asks for in the approve scenario, in order of first request. */
  requests: string[];
}

// ── @octokit/auth-oauth-device ──────────────────────────────────────────────────────────────
const octokit: Client = {
  name: '@octokit/auth-oauth-device',
  policy: 'octokit',
  fires: {
    // Clean. poll-interval: the first poll goes at once after onVerification, which the rule
    // allows, then each `authorization_pending` waits `interval`:
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L39-L48
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L120-L123
    // secret-at-rest: the token is kept in `state.authentication`, in memory only:
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L50
    approve: [],
    // Clean. github.com answers access_denied with HTTP 200; oauthRequest turns any body with
    // `error` into a RequestError, which waitForAccessToken rethrows: no more polls
    // (poll-after-terminal), no restart (auto-restart), and the script exits 1 (unclean-exit).
    //   https://github.com/octokit/oauth-methods.js/blob/v6.0.2/src/utils.ts#L25-L41
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L130
    deny: [],
    // poll-after-terminal: octokit has no client-side expiry. waitForAccessToken never reads
    // `expires_in` and polls on until github.com answers `expired_token`, so the poll that earns
    // that answer already comes after the code expired (4 s here); then it stops, exit 1.
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L79-L132
    expire: ['poll-after-terminal'],
    // poll-slow-down: after `slow_down` octokit waits `interval + 7` s once, and keeps neither
    // that nor the `interval` GitHub sends back: the next `authorization_pending` waits the
    // original interval again, 1 s where RFC 8628 §3.5 asks for 1 + 5 s. Not slow-down-abort:
    // it polls on and signs in.
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L125-L128
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L120-L123
    'slow-down': ['poll-slow-down'],
    // Clean. The bare 503 makes @octokit/request throw a RequestError whose `response.data` is
    // the HTML text; its `.error` is undefined, so waitForAccessToken rethrows it at once. No
    // retry at all, so nothing for error-backoff to judge (a dropped connection, a RequestError
    // without `response`, would be rethrown too). Exit 1.
    //   https://github.com/octokit/request.js/blob/v10.0.11/src/fetch-wrapper.ts#L140-L147
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L130
    //   https://github.com/octokit/request.js/blob/v10.0.11/src/fetch-wrapper.ts#L53-L84
    //   https://github.com/octokit/auth-oauth-device.js/blob/v8.0.4/src/get-oauth-access-token.ts#L115
    'server-error': [],
    // Clean: the token is in memory only (get-oauth-access-token.ts#L50 above) and an OAuth app gets no refresh token,
    // so the second run, a new process, signs in anew (laterSignIns below): no session-reuse.
    session: [],
    // secret-in-output, a real leak on octokit's error path: the first token answer is cut
    // short. @octokit/request returns the unparsable text itself as `data` (getResponseData:
    // `catch (err) { return text; }`), @octokit/oauth-methods then evaluates
    // `"error" in response.data`, and `in` on a string throws a TypeError whose message V8
    // builds from the string: `Cannot use 'in' operator to search for 'error' in
    // {"access_token":"gho_…`. The script prints error.message, as most programs do. Exit 1.
    //   https://github.com/octokit/request.js/blob/v10.0.11/src/fetch-wrapper.ts (getResponseData)
    //   https://github.com/octokit/oauth-methods.js/blob/v6.0.2/src/utils.ts#L25-L41
    fault: ['secret-in-output'],
  },
  exits: {
    approve: 0,
    deny: 1,
    expire: 1,
    'slow-down': 0,
    'server-error': 1,
    session: 0,
    fault: 1,
  },
  // The device flow on github.com (octokit's default base URL maps to https://github.com),
  // then the REST API on api.github.com:
  //   https://github.com/octokit/oauth-methods.js/blob/v6.0.2/src/utils.ts#L4-L9
  requests: [
    'POST github.com/login/device/code',
    'POST github.com/login/oauth/access_token',
    'GET api.github.com/user',
  ],
};

// ── @azure/msal-node ────────────────────────────────────────────────────────────────────────
// excess-scope, in every scenario: the device code client adds `openid profile offline_access`
// to the scopes of both its requests (addScopes with its defaults), so msal-node always asks
// for a refresh token. The policy allows what reading one's profile needs (User.Read, and
// openid + profile for the ID token msal builds its account from); offline_access is excess.
//   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L181-L185
//   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/request/RequestParameterBuilder.ts#L84-L104
//   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/utils/Constants.ts#L75-L79
const MSAL_SCOPE = 'excess-scope';

const msalNode: Client = {
  name: '@azure/msal-node',
  policy: 'msal-node',
  fires: {
    // poll-interval: the first poll goes at once after deviceCodeCallback, then each
    // `authorization_pending` waits `interval`.
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L46-L52
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L327-L334
    // secret-at-rest: the token cache is in memory unless the app passes a cachePlugin.
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/ClientApplication.ts#L105-L115
    approve: [MSAL_SCOPE],
    // `authorization_declined` (Entra's name for the denial) is not `authorization_pending`, so
    // it is thrown at once: no further poll, no restart; the script exits 1.
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L335-L346
    deny: [MSAL_SCOPE],
    // msal-node keeps a client-side expiry, but in whole seconds: `deviceCodeExpirationTime` is
    // `nowSeconds() + expiresIn`, taken after the device code answer and the callback;
    // nowSeconds() rounds to the second; polling stops only once the rounded time is strictly
    // greater. So whether the poll due right at `expires_in` (4 s) still goes out depends on
    // where the sub-second phase falls: usually it does, and the lab answers `expired_token` to
    // a poll after the code expired (poll-after-terminal); sometimes msal-node throws
    // device_code_expired first. Either way it stops and the script exits 1.
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L289-L294
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/utils/TimeUtils.ts#L13-L16
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L249
    expire: [[MSAL_SCOPE, 'poll-after-terminal'], [MSAL_SCOPE]],
    // slow-down-abort: only `authorization_pending` continues the loop; `slow_down` is thrown as
    // post_request_failed and the script exits 1. (Entra documents no slow_down of its own, so
    // against Entra this path is not reached; against a server that sends it, msal-node gives
    // up.)
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/client/DeviceCodeClient.ts#L327-L346
    'slow-down': [MSAL_SCOPE, 'slow-down-abort'],
    // The bare 503's HTML body fails `response.json()`, which HttpClient throws as a
    // token_parsing_error; sendPostRequest rethrows it and the polling loop does not catch it:
    // no retry, so nothing for error-backoff to judge. Exit 1.
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/network/HttpClient.ts#L163-L177
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/protocol/Token.ts#L273-L274
    'server-error': [MSAL_SCOPE],
    // The refresh token (offline_access) stays in the first process's in-memory cache
    // (ClientApplication.ts#L105-L115 above); msal-node refreshes only in acquireTokenSilent,
    // which the script never calls. The second run signs in anew: no session-reuse, no
    // silent-refresh.
    session: [MSAL_SCOPE],
    // The cut-off token answer fails `response.json()`; HttpClient throws tokenParsingError
    // with "Failed to parse response: " and the parser's message (a position, not the text).
    // No retry; the script prints the message and exits 1. Nothing leaks.
    //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-node-v7.2.4/lib/msal-node/src/network/HttpClient.ts#L163-L177
    fault: [MSAL_SCOPE],
  },
  exits: {
    approve: 0,
    deny: 1,
    expire: 1,
    'slow-down': 1,
    'server-error': 1,
    session: 0,
    fault: 1,
  },
  // No instance discovery and no openid-configuration: login.microsoftonline.com's endpoints
  // are built in; the device code endpoint is the token endpoint with /token replaced by
  // /devicecode.
  //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/authority/AuthorityMetadata.ts#L19-L27
  //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/authority/Authority.ts#L618-L634
  //   https://github.com/AzureAD/microsoft-authentication-library-for-js/blob/msal-common-v16.18.0/lib/msal-common/src/authority/Authority.ts#L240-L244
  requests: [
    'POST login.microsoftonline.com/organizations/oauth2/v2.0/devicecode',
    'POST login.microsoftonline.com/organizations/oauth2/v2.0/token',
    'GET graph.microsoft.com/v1.0/me',
  ],
};

// ── openid-client v6 ────────────────────────────────────────────────────────────────────────
const openidClient: Client = {
  name: 'openid-client',
  policy: 'openid-client',
  fires: {
    // Clean in every scenario. poll-interval: it waits `interval` before every poll, the first
    // one included.
    //   https://github.com/panva/openid-client/blob/v6.8.7/src/index.ts#L2306-L2316
    approve: [],
    // access_denied is a ResponseBodyError that is neither slow_down nor authorization_pending,
    // so it is thrown. Exit 1.
    //   https://github.com/panva/openid-client/blob/v6.8.7/src/index.ts#L2373-L2384
    deny: [],
    // The polling signal is AbortSignal.timeout(expires_in * 1000), started when polling
    // starts, and the wait before each poll checks it: it stops before the code expires, with
    // no poll past expires_in. Exit 1.
    //   https://github.com/panva/openid-client/blob/v6.8.7/src/index.ts#L2308-L2316
    expire: [],
    // slow_down adds 5 s to `interval`, kept for every later poll. Signs in.
    //   https://github.com/panva/openid-client/blob/v6.8.7/src/index.ts#L2373-L2380
    'slow-down': [],
    // Only a 503 with Retry-After is retried; the bare 503 is not an OAuth answer and is thrown
    // (errorHandler). Exit 1.
    //   https://github.com/panva/openid-client/blob/v6.8.7/src/index.ts#L2355-L2359
    //   https://github.com/panva/openid-client/blob/v6.8.7/src/index.ts#L2384
    'server-error': [],
    // Tokens in memory only; the second run is a new process and a new device authorization.
    session: [],
    // The cut-off token answer: oauth4webapi's getResponseJsonBody throws
    // OperationProcessingError('failed to parse "response" body as JSON') with the parser's
    // SyntaxError as its cause; neither holds the body. Not retried; exit 1. (Installed
    // oauth4webapi 3.8.8, build/index.js lines 2512-2520.)
    fault: [],
  },
  exits: {
    approve: 0,
    deny: 1,
    expire: 1,
    'slow-down': 0,
    'server-error': 1,
    session: 0,
    fault: 1,
  },
  // Discovery, then RFC 8628, then the resource: all on the lab's own https issuer.
  requests: [
    'GET /.well-known/openid-configuration',
    'POST /device_authorization',
    'POST /token',
    'GET /whoami',
  ],
};

const CLIENTS = [octokit, msalNode, openidClient];

async function check(client: Client): Promise<{ code: number | null; report: JsonReport }> {
  const output = join(work, `${client.policy}.json`);
  const policy = fileURLToPath(new URL(`./fixtures/real/${client.policy}.yaml`, import.meta.url));
  const done = await runCli(['check', '--policy', policy, '--format', 'json', '--output', output]);
  const text = await readFile(output, 'utf8').catch(() => {
    throw new Error(`no report (exit ${done.code}):\n${done.stdout}\n${done.stderr}`);
  });
  return { code: done.code, report: JSON.parse(text) as JsonReport };
}

/** The expected outcome the run matched, or the first one when none did (for the diff). */
function outcome(expected: string[] | string[][], fired: string[]): string[] {
  const options = (
    expected.length > 0 && Array.isArray(expected[0]) ? expected : [expected]
  ) as string[][];
  const sorted = options.map((checks) => [...checks].sort());
  return sorted.find((checks) => checks.join() === fired.join()) ?? sorted[0] ?? [];
}

describe.concurrent('real npm clients, unmodified, in every scenario', () => {
  it.each(CLIENTS.map((client) => [client.name, client] as const))(
    '%s',
    { timeout: 120_000 },
    async (_, client) => {
      const { code, report } = await check(client);

      const fired = (scenario: Scenario) =>
        [
          ...new Set(report.findings.filter((f) => f.scenario === scenario).map((f) => f.check)),
        ].sort();
      expect(Object.fromEntries(ALL.map((s) => [s, fired(s)]))).toEqual(
        Object.fromEntries(ALL.map((s) => [s, outcome(client.fires[s], fired(s))])),
      );
      expect(code).toBe(report.findings.length > 0 ? 1 : 0);

      const exits = Object.fromEntries(
        report.scenarios.map((s) => [s.scenario, s.timedOut ? 'timed out' : s.exitCode]),
      );
      expect(exits).toEqual(client.exits);
      expect(report.scenarios.every((s) => !s.noLabContact)).toBe(true);
      expect(report.scenarios.find((s) => s.scenario === 'session')?.laterSignIns).toEqual([
        'new device authorization',
      ]);

      // What the program asked for, and nothing refused by the egress proxy.
      const approve = report.evidence.runs.find((run) => run.scenario === 'approve');
      const requests = (approve?.events ?? [])
        .filter((e) => e.type === 'request')
        .map((e) => `${e.method} ${e.host ?? ''}${e.path}`);
      expect([...new Set(requests)]).toEqual(client.requests);
      for (const run of report.evidence.runs)
        expect(run.events.filter((e) => e.type === 'egress')).toEqual([]);
      if (client === openidClient) expect(approve?.lab.issuer).toMatch(/^https:\/\/127\.0\.0\.1:/);
    },
  );
});
