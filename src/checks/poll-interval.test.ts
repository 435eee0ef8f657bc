import { check } from './poll-interval.ts';
import { runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'polls exactly at the announced interval',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'authorization_pending'],
          [10_000, 'success'],
        ],
      }),
    },
    {
      why: 'arrives 150 ms early: scheduling jitter within the tolerance',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [4850, 'authorization_pending'],
          [9700, 'success'],
        ],
      }),
    },
    {
      why: 'waits longer than the interval',
      run: runWith({
        interval: 7,
        polls: [
          [0, 'authorization_pending'],
          [8000, 'success'],
        ],
      }),
    },
    {
      why: 'the first poll may follow the device authorization at once',
      run: runWith({ polls: [[1, 'authorization_pending']] }),
    },
    {
      why: 'the gap after slow_down belongs to poll-slow-down',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [6000, 'authorization_pending'],
        ],
      }),
    },
    {
      why: 'the gap after a 503 belongs to error-backoff',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'server_error_injected'],
          [5100, 'authorization_pending'],
        ],
      }),
    },
    {
      why: 'a poll right after success belongs to poll-after-terminal',
      run: runWith({
        polls: [
          [0, 'success'],
          [100, 'invalid_grant'],
        ],
      }),
    },
  ],
  invalid: [
    {
      why: 'polls at 60 % of the interval (the lab answers slow_down, but this gap is still early)',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [3000, 'slow_down'],
          [13_000, 'success'],
        ],
      }),
      message:
        /^polled 3\.0 s after the previous request; the interval in force was 5 s \(RFC 8628 §3\.5\)$/,
      evidence: [
        /^poll 2 came 3\.0 s after poll 1 \(authorization_pending\); the interval in force was 5 s$/,
      ],
    },
    {
      why: 'polls at 60 % of the interval against a server that does not enforce it',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [3000, 'authorization_pending'],
          [6000, 'authorization_pending'],
          [9000, 'success'],
        ],
      }),
      message: /, 3 early polls in all/,
      evidence: 3,
    },
    {
      why: 'hard-codes 5 s against a server interval of 7 s',
      run: runWith({
        interval: 7,
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [15_000, 'slow_down'],
        ],
      }),
      message: /polled 5\.0 s after the previous request; the interval in force was 7 s/,
      evidence: 1,
    },
    {
      why: 'one device code is polled on time, the next (after a denial) too fast',
      run: runWith({
        authorizations: [
          {
            at: 0,
            polls: [
              [0, 'authorization_pending'],
              [5000, 'access_denied'],
            ],
          },
          {
            at: 6000,
            polls: [
              [6000, 'authorization_pending'],
              [7000, 'authorization_pending'],
            ],
          },
        ],
      }),
      evidence: [/^device code 2: poll 2 came 1\.0 s after poll 1/],
    },
  ],
});
