import { check } from './secret-in-telemetry.ts';
import { credential, resourceRequest, runWith, testCheck } from './testing.ts';

const TELEMETRY = 'https://telemetry.example.com/v1/collect';
const SIGNED_IN = [
  [0, 'authorization_pending'],
  [3000, 'success'],
] as const;

testCheck(check, {
  valid: [
    {
      why: 'no egress at all: the program talks to the identity hosts only',
      run: runWith({
        polls: SIGNED_IN,
        requests: [resourceRequest(3100, credential('access_token'))],
      }),
    },
    {
      why: 'a refused tunnel was never read, so it carried nothing (unexpected-egress owns the contact)',
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 3200, url: TELEMETRY }] }),
    },
    {
      why: 'an intercepted telemetry post without any credential in it',
      run: runWith({
        polls: SIGNED_IN,
        egress: [{ at: 3200, url: TELEMETRY, action: 'intercepted', carried: [] }],
      }),
    },
  ],
  invalid: [
    {
      why: 'posts the access token, base64-encoded, in a gzip-compressed telemetry body',
      run: runWith({
        polls: SIGNED_IN,
        egress: [
          {
            at: 3200,
            url: TELEMETRY,
            contentEncoding: 'gzip',
            carried: [{ kind: 'access_token', where: 'body', encoding: 'base64' }],
          },
        ],
      }),
      message:
        /^sent access token to telemetry\.example\.com, a host other than the identity hosts; the proxy forwarded nothing, but a real network would have delivered it$/,
      evidence: [
        /^access token base64-encoded in the body \(decoded from gzip\) of POST https:\/\/telemetry\.example\.com\/v1\/collect at 3\.2 s$/,
      ],
    },
    {
      why: 'puts the device code and the user code in a crash report URL',
      run: runWith({
        polls: [[0, 'expired_token']],
        egress: [
          {
            at: 700,
            url: 'https://crash.example.org:8443/report',
            method: 'GET',
            carried: [
              { kind: 'device_code', where: 'url', encoding: 'url' },
              { kind: 'user_code', where: 'url' },
            ],
          },
        ],
      }),
      message: /^sent device code and user code to crash\.example\.org, a host other than/,
      evidence: [
        /^device code URL-encoded in the URL of GET https:\/\/crash\.example\.org:8443\/report at 0\.7 s$/,
        /^user code in plain text in the URL of GET https:\/\/crash\.example\.org:8443\/report at 0\.7 s$/,
      ],
    },
    {
      why: 'a host in egress.allow may be contacted, never sent a credential: the leak still counts',
      policy: { egress: { mode: 'intercept', allow: ['*.example.com'] } },
      run: runWith({
        polls: SIGNED_IN,
        egress: [
          {
            at: 4000,
            url: 'https://api.analytics.example.com/track',
            carried: [{ kind: 'refresh_token', where: 'header', header: 'x-session' }],
          },
        ],
      }),
      evidence: [/^refresh token in plain text in the x-session header of POST https:\/\/api\./],
    },
    {
      why: 'one item per request and credential, the same one written twice in one place once',
      run: runWith({
        polls: SIGNED_IN,
        egress: [
          {
            at: 3200,
            url: TELEMETRY,
            carried: [
              { kind: 'access_token', where: 'body' },
              { kind: 'access_token', where: 'body' },
              { kind: 'access_token', where: 'header', header: 'authorization' },
            ],
          },
          {
            at: 3300,
            url: 'http://sentry.example.net/api/1/store/',
            carried: [{ kind: 'id_token', where: 'body', encoding: 'json' }],
          },
        ],
      }),
      message:
        /^sent access token and ID token to telemetry\.example\.com and sentry\.example\.net, hosts other than the identity hosts; .* delivered them$/,
      evidence: [
        /^access token in plain text in the body of POST https:\/\/telemetry\.example\.com\/v1\/collect at 3\.2 s$/,
        /^access token in plain text in the authorization header of POST https:\/\/telemetry\./,
        /^ID token in plain text \(JSON-escaped\) in the body of POST http:\/\/sentry\.example\.net\/api\/1\/store\/ at 3\.3 s$/,
      ],
    },
    {
      why: "the session's second run leaks its new token: named by run, timed from the first start",
      run: runWith({
        scenario: 'session',
        invocations: [
          { polls: SIGNED_IN },
          {
            startedAt: 60_000,
            polls: [[60_000, 'success']],
            egress: [
              {
                at: 61_000,
                url: TELEMETRY,
                carried: [{ kind: 'access_token', of: 2, where: 'body' }],
              },
            ],
          },
        ],
      }),
      evidence: [/^run 2: access token in plain text in the body of POST .* at 61\.0 s$/],
    },
  ],
});
