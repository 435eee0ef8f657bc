import { check } from './poll-after-terminal.ts';
import { credential, refreshRequest, runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'stops polling on success',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'success'],
        ],
      }),
    },
    {
      why: 'stops polling on access_denied',
      run: runWith({
        scenario: 'deny',
        polls: [
          [0, 'authorization_pending'],
          [5000, 'access_denied'],
        ],
      }),
    },
    {
      why: 'tracks expires_in and gives up before the device code expires',
      run: runWith({
        scenario: 'expire',
        expiresIn: 20,
        polls: [
          [0, 'authorization_pending'],
          [5000, 'authorization_pending'],
          [10_000, 'authorization_pending'],
          [15_000, 'authorization_pending'],
        ],
        endedAt: 19_000,
      }),
    },
    {
      // openid-client: AbortSignal.timeout(expires_in) from when the answer arrived, and a poll
      // after each interval; the lab's clock started before its 80 ms answer was on its way.
      why: 'a last poll sent at the deadline the client counts from the answer it received',
      run: runWith({
        scenario: 'expire',
        expiresIn: 20,
        authorizations: [
          {
            at: 0,
            durationMs: 80,
            polls: [
              [5000, 'authorization_pending'],
              [10_000, 'authorization_pending'],
              [15_000, 'authorization_pending'],
              [20_040, 'expired_token'],
            ],
          },
        ],
        endedAt: 20_100,
      }),
    },
    {
      why: 'slow_down, a 503 and a dropped connection are not final answers: polling goes on',
      run: runWith({
        polls: [
          [0, 'slow_down'],
          [10_000, 'server_error_injected'],
          [20_000, 'connection_dropped'],
          [30_000, 'success'],
        ],
      }),
    },
    {
      why: "the verification page after exit is the person's browser, not the program",
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'access_denied'],
        ],
        requests: [{ at: 9000, endpoint: 'verification', outcome: 'page' }],
        endedAt: 5200,
      }),
    },
    {
      why: 'a revocation sent just before exit reaches the lab a moment after it',
      run: runWith({
        polls: [[0, 'success']],
        requests: [{ at: 5250, endpoint: 'revocation' }],
        endedAt: 5200,
      }),
    },
  ],
  invalid: [
    {
      why: 'polls again after success',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'success'],
          [10_000, 'invalid_grant'],
        ],
      }),
      message: /^made 1 token request after the lab's final answer \(success\) \(RFC 8628 §3\.5\)$/,
      evidence: [/^poll 3 at 10\.0 s \(invalid_grant\), after the lab answered success at 5\.0 s$/],
    },
    {
      why: 'keeps polling after access_denied',
      run: runWith({
        scenario: 'deny',
        polls: [
          [0, 'authorization_pending'],
          [5000, 'access_denied'],
          [10_000, 'access_denied'],
          [15_000, 'access_denied'],
        ],
      }),
      message: /2 token requests after the lab's final answer \(access_denied\)/,
      evidence: 2,
    },
    {
      why: 'keeps polling after expired_token',
      run: runWith({
        scenario: 'expire',
        expiresIn: 600,
        polls: [
          [0, 'expired_token'],
          [5000, 'expired_token'],
        ],
      }),
      evidence: [/^poll 2 .*after the lab answered expired_token/],
    },
    {
      why: 'polls past expires_in instead of tracking it (the lab answers expired_token)',
      run: runWith({
        scenario: 'expire',
        expiresIn: 20,
        polls: [
          [0, 'authorization_pending'],
          [10_000, 'authorization_pending'],
          [20_050, 'expired_token'],
        ],
      }),
      message: /1 token request after the device code expired \(expires_in 20 s\)/,
      evidence: [/^poll 3 at 20\.1 s \(expired_token\), after the device code expired at 20\.0 s$/],
    },
    {
      why: 'a detached poller keeps polling after the program exited',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'authorization_pending'],
          [10_000, 'authorization_pending'],
        ],
        endedAt: 6000,
        exitCode: 1,
      }),
      message: /1 request after the program exited: a process kept running in the background/,
      evidence: [
        /^poll 3 at 10\.0 s \(authorization_pending\), after the program exited at 6\.0 s$/,
      ],
    },
    {
      why: 'a background refresher of the first run calls the lab before the second run starts',
      run: runWith({
        scenario: 'session',
        invocations: [
          {
            polls: [[0, 'success']],
            requests: [refreshRequest(60_000, credential('refresh_token', 1))],
            endedAt: 500,
          },
          { startedAt: 120_000, polls: [[120_000, 'success']] },
        ],
      }),
      evidence: [
        /^refresh_token grant at 60\.0 s \(success\), after the program exited at 0\.5 s$/,
      ],
    },
  ],
});
