import { describe, expect, it } from 'vitest';
import { honoursInterval } from './timing.ts';

describe('honoursInterval', () => {
  it.each([
    // [gap ms, interval s, honoured?, why]
    [1000, 1, true, 'exactly the interval'],
    [920, 1, true, 'within 100 ms of a 1 s interval: scheduling jitter'],
    [600, 1, false, '60 % of the interval must be caught'],
    [5000, 5, true, 'exactly the interval'],
    [4800, 5, true, 'within 5 % of a 5 s interval'],
    [3000, 5, false, '60 % of the interval must be caught'],
    [9000, 10, false, '90 % of a 10 s interval is a real violation'],
  ])('%i ms at %i s → %s (%s)', (gap, interval, honoured) => {
    expect(honoursInterval(gap, interval)).toBe(honoured);
  });
});
