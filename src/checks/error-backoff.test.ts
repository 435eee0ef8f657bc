import { check } from './error-backoff.ts';
import { runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'waits the interval after a 503',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'server_error_injected'],
          [10_000, 'authorization_pending'],
          [15_000, 'success'],
        ],
      }),
    },
    {
      why: 'backs off exponentially after a dropped connection',
      run: runWith({
        polls: [
          [0, 'connection_dropped'],
          [5000, 'connection_dropped'],
          [15_000, 'success'],
        ],
      }),
    },
    {
      why: 'a quick poll after an OAuth error answer is poll-after-terminal’s, not a retry',
      run: runWith({
        polls: [
          [0, 'invalid_grant'],
          [100, 'invalid_grant'],
        ],
      }),
    },
  ],
  invalid: [
    {
      why: 'retries 200 ms after a 503 without an OAuth error',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'server_error_injected'],
          [5200, 'authorization_pending'],
        ],
      }),
      message:
        /^after HTTP 503, retried 0\.2 s after the previous request; the interval in force was 5 s: back off/,
      evidence: [/^poll 3 came 0\.2 s after poll 2 \(HTTP 503\); the interval in force was 5 s$/],
    },
    {
      why: 'retries at once after a dropped connection',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'connection_dropped'],
          [5010, 'authorization_pending'],
        ],
      }),
      message: /^after a dropped connection, retried 0\.0 s after/,
      evidence: 1,
    },
    {
      why: 'after a slow_down the interval in force is 10 s, also for retries',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [15_000, 'server_error_injected'],
          [20_000, 'authorization_pending'],
        ],
      }),
      evidence: [/the interval in force was 10 s$/],
    },
    {
      why: 'a 500 with an OAuth server_error body is a server failure too',
      run: runWith({
        polls: [
          [0, 'server_error'],
          [300, 'authorization_pending'],
        ],
      }),
      evidence: [/\(HTTP 500\)/],
    },
  ],
});
