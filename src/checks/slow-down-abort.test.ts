import { check } from './slow-down-abort.ts';
import { credential, runWith, testCheck } from './testing.ts';
import { DEVICE_CODE_GRANT } from './timeline.ts';

/** Poll 1 pending at 0 s, poll 2 answered slow_down at 5 s: the next poll is due at 15 s. */
const SLOW_DOWN_AT_5S = [
  [0, 'authorization_pending'],
  [5000, 'slow_down'],
] as const;

testCheck(check, {
  valid: [
    {
      why: 'polls on after slow_down, 5 s slower, until approved',
      run: runWith({
        scenario: 'slow-down',
        polls: [...SLOW_DOWN_AT_5S, [15_000, 'authorization_pending'], [25_000, 'success']],
      }),
    },
    {
      why: 'no slow_down at all: stopping after access_denied is what the client must do',
      run: runWith({
        scenario: 'deny',
        polls: [
          [0, 'authorization_pending'],
          [5000, 'access_denied'],
        ],
      }),
    },
    {
      why: 'the device code expires before the next poll would be due: nothing left to poll for',
      run: runWith({ scenario: 'expire', expiresIn: 12, polls: SLOW_DOWN_AT_5S }),
    },
    {
      why: 'the next poll would land within 1 s of expires_in: a client may stop there',
      run: runWith({ expiresIn: 15.5, polls: SLOW_DOWN_AT_5S }),
    },
    {
      why: 'killed at its timeout while waiting after slow_down: unclean-exit reports the hang',
      run: runWith({ polls: SLOW_DOWN_AT_5S, timedOut: true, endedAt: 8000 }),
    },
    {
      why: 'a process of the run was still alive after the grace period: it may still have polled',
      run: runWith({
        polls: SLOW_DOWN_AT_5S,
        exitCode: 0,
        leftovers: [{ pid: 4242, name: 'mycli-poller' }],
      }),
    },
    {
      why: 'slow_down answered a poll sent after the program exited: stopping then is right',
      run: runWith({ polls: SLOW_DOWN_AT_5S, endedAt: 1000 }),
    },
    {
      why: 'slow_down after a final answer: the extra poll is poll-after-terminal’s',
      run: runWith({
        polls: [
          [0, 'success'],
          [1000, 'slow_down'],
        ],
      }),
    },
    {
      why: 'a device code whose authorization is not in the trace: its lifetime is unknown',
      run: runWith({
        requests: [
          {
            at: 5000,
            endpoint: 'token',
            grantType: DEVICE_CODE_GRANT,
            outcome: 'slow_down',
            presented: [credential('device_code', 'captured')],
          },
        ],
      }),
    },
    {
      why: 'starts a second device authorization but keeps polling the first after slow_down',
      run: runWith({
        authorizations: [
          { at: 0, polls: [...SLOW_DOWN_AT_5S, [15_000, 'success']] },
          { at: 6000, polls: [[6000, 'authorization_pending']] },
        ],
      }),
    },
    {
      why: 'run 1 polls on after slow_down; run 2 is a new user action, not a restart',
      run: runWith({
        scenario: 'session',
        invocations: [
          { polls: [...SLOW_DOWN_AT_5S, [15_000, 'success']] },
          { startedAt: 30_000, polls: [[30_000, 'success']] },
        ],
      }),
    },
  ],
  invalid: [
    {
      why: 'reports an error and exits 1 at the first slow_down',
      run: runWith({ scenario: 'slow-down', polls: SLOW_DOWN_AT_5S }),
      message:
        /^gave up at slow_down: exited with code 1 at 5\.2 s instead of polling again after 10 s; slow_down means keep polling, 5 s slower \(RFC 8628 §3\.5\)$/,
      evidence: [
        /^poll 2 at 5\.0 s answered slow_down and was the last: the next was due at 15\.0 s \(interval 10 s\); instead the program exited with code 1 at 5\.2 s$/,
      ],
    },
    {
      why: 'exits 0 at slow_down without a token (this check owns it, not unclean-exit)',
      run: runWith({ polls: SLOW_DOWN_AT_5S, exitCode: 0 }),
      evidence: [/instead the program exited 0 at 5\.2 s without obtaining a token$/],
    },
    {
      why: 'starts a new device authorization instead of polling on',
      run: runWith({
        scenario: 'slow-down',
        authorizations: [
          { at: 0, polls: SLOW_DOWN_AT_5S },
          {
            at: 5100,
            polls: [
              [5100, 'authorization_pending'],
              [10_100, 'success'],
            ],
          },
        ],
      }),
      message: /^gave up at slow_down: started device authorization 2 at 5\.1 s instead of/,
      evidence: [
        /^device code 1: poll 2 at 5\.0 s answered slow_down and was the last: .*; instead the program started device authorization 2 at 5\.1 s$/,
      ],
    },
    {
      why: 'restarts at slow_down, then hangs until killed: the restart was already giving up',
      run: runWith({
        authorizations: [{ at: 0, polls: SLOW_DOWN_AT_5S }, { at: 5100 }],
        timedOut: true,
        endedAt: 60_000,
      }),
      evidence: [/started device authorization 2 at 5\.1 s$/],
    },
    {
      why: 'after two slow_downs it waits past the 15 s interval, then exits without polling',
      run: runWith({
        interval: 2,
        polls: [
          [0, 'authorization_pending'],
          [2000, 'slow_down'],
          [9000, 'slow_down'],
        ],
        endedAt: 30_000,
      }),
      message: /instead of polling again after 12 s;/,
      evidence: [
        /^poll 3 at 9\.0 s answered slow_down and was the last: the next was due at 21\.0 s \(interval 12 s\); instead the program exited with code 1 at 30\.0 s$/,
      ],
    },
    {
      why: 'gives up on two device codes, one after the other',
      run: runWith({
        authorizations: [
          { at: 0, polls: SLOW_DOWN_AT_5S },
          { at: 5100, polls: [[5100, 'slow_down']] },
        ],
      }),
      message: /, 2 device codes in all;/,
      evidence: [
        /^device code 1: .*started device authorization 2 at 5\.1 s$/,
        /^device code 2: poll 1 at 5\.1 s answered slow_down .*exited with code 1 at 5\.3 s$/,
      ],
    },
  ],
});
