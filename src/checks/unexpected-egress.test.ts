import { runWith, testCheck } from './testing.ts';
import { check } from './unexpected-egress.ts';

const SIGNED_IN = [
  [0, 'authorization_pending'],
  [3000, 'success'],
] as const;
const VERSION_CHECK = 'https://updates.example.com/latest';
const allow = (...globs: string[]) => ({ egress: { mode: 'intercept' as const, allow: globs } });

testCheck(check, {
  valid: [
    {
      why: 'no egress at all: the program talks to the identity hosts only',
      run: runWith({ polls: SIGNED_IN }),
    },
    {
      why: 'the one destination is in egress.allow, spelled exactly',
      policy: allow('updates.example.com'),
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 100, url: VERSION_CHECK }] }),
    },
    {
      why: 'egress.allow globs ignore case',
      policy: allow('Updates.Example.COM'),
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 100, url: VERSION_CHECK }] }),
    },
    {
      why: '*.example.com allows subdomains at any depth, and any port',
      policy: allow('*.example.com'),
      run: runWith({
        polls: SIGNED_IN,
        egress: [
          { at: 100, url: VERSION_CHECK },
          { at: 200, url: 'https://a.b.example.com:8443/' },
        ],
      }),
    },
    {
      why: "an attempt in the session's second run is judged by that run's task, which allows it",
      policies: { sync: allow('updates.example.com') },
      run: runWith({
        scenario: 'session',
        invocations: [
          { task: 'login', polls: SIGNED_IN },
          {
            task: 'sync',
            startedAt: 60_000,
            polls: [[60_000, 'success']],
            egress: [{ at: 60_100, url: VERSION_CHECK }],
          },
        ],
      }),
    },
  ],
  invalid: [
    {
      why: 'a refused version check: no leak, but a contact the policy did not name',
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 100, url: VERSION_CHECK }] }),
      message:
        /^contacted 1 destination outside egress\.allow \(empty\): updates\.example\.com:443 \(1 attempt\); nothing was forwarded$/,
      evidence: [
        /^updates\.example\.com:443: 1 attempt \(refused\), the first at 0\.1 s: CONNECT https:\/\/updates\.example\.com$/,
      ],
    },
    {
      why: 'an intercepted post carrying a token is also a contact (secret-in-telemetry owns the leak)',
      run: runWith({
        polls: SIGNED_IN,
        egress: [
          {
            at: 3200,
            url: 'https://telemetry.example.com/v1/collect',
            carried: [{ kind: 'access_token', where: 'body' }],
          },
        ],
      }),
      evidence: [
        /^telemetry\.example\.com:443: 1 attempt \(intercepted\), the first at 3\.2 s: POST https:\/\/telemetry\.example\.com\/v1\/collect$/,
      ],
    },
    {
      why: '*.example.com allows subdomains only, not example.com itself',
      policy: allow('*.example.com'),
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 100, url: 'https://example.com/' }] }),
      message: /outside egress\.allow \(\*\.example\.com\): example\.com:443 /,
    },
    {
      why: 'an exact glob does not allow its subdomains',
      policy: allow('example.com'),
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 100, url: VERSION_CHECK }] }),
      evidence: [/^updates\.example\.com:443: /],
    },
    {
      why: 'a look-alike domain that merely ends in the allowed name is another destination',
      policy: allow('*.example.com', 'example.com'),
      run: runWith({ polls: SIGNED_IN, egress: [{ at: 100, url: 'https://evilexample.com/' }] }),
      message: /outside egress\.allow \(\*\.example\.com and example\.com\): evilexample\.com:443/,
    },
    {
      why: 'one item per host and port, counting its attempts, refused and intercepted alike',
      policy: allow('telemetry.example.com'),
      run: runWith({
        polls: SIGNED_IN,
        egress: [
          { at: 100, url: VERSION_CHECK },
          { at: 150, url: 'https://telemetry.example.com/v1/collect' },
          { at: 1100, url: VERSION_CHECK, action: 'intercepted', method: 'GET' },
          { at: 2100, url: 'http://updates.example.com/latest' },
          { at: 3100, url: VERSION_CHECK },
        ],
      }),
      message:
        /^contacted 2 destinations outside egress\.allow \(telemetry\.example\.com\): updates\.example\.com:443 \(3 attempts\) and updates\.example\.com:80 \(1 attempt\); nothing was forwarded$/,
      evidence: [
        /^updates\.example\.com:443: 3 attempts \(2 refused, 1 intercepted\), the first at 0\.1 s: CONNECT https:\/\/updates\.example\.com$/,
        /^updates\.example\.com:80: 1 attempt \(refused\), the first at 2\.1 s: GET http:\/\/updates\.example\.com\/latest$/,
      ],
    },
    {
      why: "an attempt in the session's second run is judged by that run's task, which does not allow it",
      policies: { login: allow('updates.example.com') },
      run: runWith({
        scenario: 'session',
        invocations: [
          { task: 'login', polls: SIGNED_IN, egress: [{ at: 100, url: VERSION_CHECK }] },
          {
            task: 'sync',
            startedAt: 60_000,
            polls: [[60_000, 'success']],
            egress: [{ at: 60_100, url: VERSION_CHECK }],
          },
        ],
      }),
      message: /outside egress\.allow \(empty\): updates\.example\.com:443 \(1 attempt\);/,
      evidence: [
        /^updates\.example\.com:443: 1 attempt \(refused\) in run 2, the first at 60\.1 s:/,
      ],
    },
    {
      why: 'tasks with different allow lists: the message does not pretend there is one',
      policies: { login: allow('other.example.org') },
      run: runWith({
        scenario: 'session',
        invocations: [
          { task: 'login', polls: SIGNED_IN, egress: [{ at: 100, url: VERSION_CHECK }] },
          {
            task: 'sync',
            startedAt: 60_000,
            polls: [[60_000, 'success']],
            egress: [{ at: 60_100, url: VERSION_CHECK }],
          },
        ],
      }),
      message: /outside their tasks' egress\.allow: updates\.example\.com:443 \(2 attempts\);/,
      evidence: [/^updates\.example\.com:443: 2 attempts \(refused\) in runs 1 and 2, /],
    },
  ],
});
