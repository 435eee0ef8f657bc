/**
 * How much earlier than the interval a poll may arrive and still count as on time.
 *
 * A client that waits the full interval after each answer arrives at least `interval` after
 * its previous request; one that schedules from when it sent can arrive a little sooner when
 * the previous request was delayed in transit or by a busy event loop. 100 ms or 5 % of the
 * interval (whichever is larger) absorbs that on a loaded machine, while a client polling at
 * 60 % of the interval — 400 ms early at 1 s, 2 s early at 5 s — is still caught.
 */
function earlyPollToleranceMs(intervalSeconds: number): number {
  return Math.max(100, intervalSeconds * 1000 * 0.05);
}

/** True when a gap of `gapMs` honours an interval of `intervalSeconds`. */
export function honoursInterval(gapMs: number, intervalSeconds: number): boolean {
  return gapMs >= intervalSeconds * 1000 - earlyPollToleranceMs(intervalSeconds);
}
