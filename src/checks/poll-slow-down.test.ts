import { check } from './poll-slow-down.ts';
import { runWith, testCheck } from './testing.ts';

testCheck(check, {
  valid: [
    {
      why: 'adds 5 s after slow_down and keeps the longer interval',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [15_000, 'authorization_pending'],
          [25_000, 'success'],
        ],
      }),
    },
    {
      why: 'adds 5 s for each of two slow_downs',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [15_000, 'slow_down'],
          [30_000, 'authorization_pending'],
          [45_000, 'success'],
        ],
      }),
    },
    {
      why: 'arrives 400 ms early after slow_down: jitter within the tolerance of a 10 s interval',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [14_600, 'success'],
        ],
      }),
    },
    {
      why: 'no slow_down at all: nothing for this check to judge',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [2000, 'authorization_pending'],
        ],
      }),
    },
  ],
  invalid: [
    {
      why: 'ignores slow_down and keeps polling every 5 s',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [10_000, 'slow_down'],
          [15_000, 'slow_down'],
        ],
      }),
      message:
        /^after 2 slow_downs, polled 5\.0 s after the previous request; the interval in force was 15 s \(5 s \+ 5 s per slow_down\), 2 early polls in all/,
      evidence: [
        /^poll 3 came 5\.0 s after poll 2 \(slow_down\); the interval in force was 10 s$/,
        /^poll 4 came 5\.0 s after poll 3 \(slow_down\); the interval in force was 15 s$/,
      ],
    },
    {
      why: 'honours slow_down once, then falls back to the base interval',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [15_000, 'authorization_pending'],
          [20_000, 'success'],
        ],
      }),
      evidence: [
        /^poll 4 came 5\.0 s after poll 3 \(authorization_pending\); the interval in force was 10 s$/,
      ],
    },
    {
      why: 'adds 5 s only once for two slow_downs',
      run: runWith({
        polls: [
          [0, 'authorization_pending'],
          [5000, 'slow_down'],
          [15_000, 'slow_down'],
          [25_000, 'success'],
        ],
      }),
      evidence: [
        /^poll 4 came 10\.0 s after poll 3 \(slow_down\); the interval in force was 15 s$/,
      ],
    },
  ],
});
