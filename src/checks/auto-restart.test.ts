import { check } from './auto-restart.ts';
import { runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'one device authorization, approved',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'success'],
        ],
      }),
    },
    {
      why: 'denied, then the user runs the program again: a new invocation is a new user action',
      run: runWith({
        scenario: 'session',
        invocations: [
          {
            polls: [
              [0, 'authorization_pending'],
              [5000, 'access_denied'],
            ],
          },
          { startedAt: 30_000, polls: [[30_000, 'success']] },
        ],
      }),
    },
    {
      why: 'a second sign-in after a successful one is not a restart after denial or expiry',
      run: runWith({
        expiresIn: 20,
        authorizations: [
          { at: 0, polls: [[0, 'success']] },
          { at: 30_000, polls: [[30_000, 'success']] },
        ],
      }),
    },
    {
      why: 'a new authorization while the first is still pending is not after denial or expiry',
      run: runWith({
        authorizations: [
          { at: 0, polls: [[0, 'server_error_injected']] },
          { at: 5000, polls: [[5000, 'success']] },
        ],
      }),
    },
    {
      why: 'a new device authorization right after giving up at slow_down is slow-down-abort’s, even after the first code expired',
      run: runWith({
        scenario: 'slow-down',
        expiresIn: 20,
        authorizations: [
          {
            at: 0,
            polls: [
              [0, 'authorization_pending'],
              [5000, 'slow_down'],
            ],
          },
          { at: 21_000, polls: [[21_000, 'success']] },
        ],
      }),
    },
  ],
  invalid: [
    {
      why: 'after access_denied, starts a new device authorization on its own',
      run: runWith({
        scenario: 'deny',
        authorizations: [
          {
            at: 0,
            polls: [
              [0, 'authorization_pending'],
              [5000, 'access_denied'],
            ],
          },
          { at: 5100, polls: [[5100, 'authorization_pending']] },
        ],
      }),
      message:
        /^started 1 new device authorization on its own after an earlier one was denied or expired/,
      evidence: [
        /^device authorization 2 at 5\.1 s, after device authorization 1 was denied \(poll 2 at 5\.0 s answered access_denied\)$/,
      ],
    },
    {
      why: 'after expired_token, starts over again and again',
      run: runWith({
        scenario: 'expire',
        expiresIn: 10,
        authorizations: [
          { at: 0, polls: [[10_000, 'expired_token']] },
          { at: 10_100, polls: [[20_100, 'expired_token']] },
          { at: 20_200 },
        ],
      }),
      evidence: [
        /^device authorization 2 .* 1 expired \(poll 1/,
        /^device authorization 3 .* 2 expired \(poll 1/,
      ],
    },
    {
      why: 'lets expires_in run out without polling, then starts over',
      run: runWith({
        scenario: 'expire',
        expiresIn: 20,
        authorizations: [{ at: 0, polls: [[0, 'authorization_pending']] }, { at: 21_000 }],
      }),
      evidence: [/after device authorization 1 expired at 20\.0 s \(expires_in 20\.0 s\)$/],
    },
    {
      why: 'a slow_down too close to expiry to poll again is not giving up; starting over after expiry is',
      run: runWith({
        expiresIn: 12,
        authorizations: [
          {
            at: 0,
            polls: [
              [0, 'authorization_pending'],
              [5000, 'slow_down'],
            ],
          },
          { at: 13_000 },
        ],
      }),
      evidence: [/after device authorization 1 expired at 12\.0 s \(expires_in 12\.0 s\)$/],
    },
    {
      why: 'denied, restarts, and the restarted code is given up at slow_down: only the first restart is this check’s',
      run: runWith({
        authorizations: [
          { at: 0, polls: [[0, 'access_denied']] },
          { at: 100, polls: [[5100, 'slow_down']] },
          { at: 5200 },
        ],
      }),
      evidence: [/^device authorization 2 at 0\.1 s, after device authorization 1 was denied/],
    },
  ],
});
