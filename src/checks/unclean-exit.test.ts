import { credential, refreshRequest, resourceRequest, runWith, testCheck } from './testing.ts';
import { check } from './unclean-exit.ts';

testCheck(check, {
  valid: [
    {
      why: 'approved, exits 0',
      run: runWith({ polls: [[0, 'success']], exitCode: 0 }),
    },
    {
      why: 'denied, exits 1',
      run: runWith({ scenario: 'deny', polls: [[0, 'access_denied']], exitCode: 1 }),
    },
    {
      why: 'could not be started: a harness error, not the program’s',
      run: runWith({ spawnError: 'ENOENT', exitCode: 0 }),
    },
    {
      why: 'a run that may reuse its session has a token without a new sign-in',
      run: runWith({
        scenario: 'session',
        invocations: [
          { polls: [[0, 'success']] },
          {
            startedAt: 10_000,
            requests: [resourceRequest(10_100, credential('access_token', 1))],
            exitCode: 0,
          },
        ],
      }),
    },
    {
      why: 'exits 0 right after giving up at slow_down: slow-down-abort owns that exit',
      run: runWith({
        scenario: 'slow-down',
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
        ],
        exitCode: 0,
      }),
    },
    {
      why: 'a refresh is a token obtained (silent-refresh judges whether it was allowed)',
      run: runWith({
        requests: [refreshRequest(100, credential('refresh_token', 0), { mints: 'r1' })],
        exitCode: 0,
      }),
    },
  ],
  invalid: [
    {
      why: 'exits 0 after denial',
      run: runWith({ scenario: 'deny', polls: [[0, 'access_denied']], exitCode: 0 }),
      message: /^the program exited 0 without obtaining a token \(RFC 8628 §3\.5\)$/,
      evidence: [/^exited 0 at 0\.2 s without obtaining a token$/],
    },
    {
      why: 'exits 0 after expiry',
      run: runWith({ scenario: 'expire', polls: [[20_000, 'expired_token']], exitCode: 0 }),
      evidence: 1,
    },
    {
      why: 'still waiting at its timeout',
      run: runWith({ polls: [[0, 'authorization_pending']], timedOut: true, endedAt: 60_000 }),
      message: /was still running at its timeout \(60\.0 s\)/,
      evidence: [/^still running at its timeout \(60\.0 s\); killed at 60\.0 s$/],
    },
    {
      why: 'leaves a background poller and a helper alive',
      run: runWith({
        polls: [[0, 'success']],
        leftovers: [
          { pid: 4242, name: 'mycli' },
          { pid: 4243, name: 'mycli-agent' },
        ],
      }),
      message: /left processes running after it exited/,
      evidence: [
        /^2 processes still alive after the grace period: mycli \(pid 4242\) and mycli-agent \(pid 4243\)$/,
      ],
    },
    {
      why: 'exits 0 after a slow_down when the code would expire before the next poll: not giving up at slow_down, so the exit is this check’s',
      run: runWith({
        expiresIn: 12,
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
        ],
        exitCode: 0,
      }),
      evidence: [/^exited 0 at 5\.2 s without obtaining a token$/],
    },
    {
      why: 'exits 0 after slow_down but leaves a process behind that may still poll: both are this check’s',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
        ],
        exitCode: 0,
        leftovers: [{ pid: 4242, name: 'mycli' }],
      }),
      evidence: [/^exited 0 at 5\.2 s without obtaining a token$/, /^1 process still alive/],
    },
    {
      why: 'gives up at slow_down by restarting, then exits 0 after that code is denied: the exit follows the denial',
      run: runWith({
        authorizations: [
          {
            at: 0,
            polls: [
              [0, 'authorization_pending'],
              [5000, 'slow_down'],
            ],
          },
          { at: 5100, polls: [[10_100, 'access_denied']] },
        ],
        exitCode: 0,
      }),
      evidence: [/^exited 0 at 10\.3 s without obtaining a token$/],
    },
    {
      why: 'the second run exits 0 although it got no token',
      run: runWith({
        scenario: 'session',
        invocations: [
          { polls: [[0, 'success']] },
          {
            startedAt: 10_000,
            requests: [resourceRequest(10_100, credential('access_token', 1), 'invalid_token')],
            exitCode: 0,
          },
        ],
      }),
      evidence: [/^run 2: exited 0 at 10\.3 s without obtaining a token$/],
    },
  ],
});
