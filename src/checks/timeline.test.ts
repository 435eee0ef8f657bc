import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScenarioRun } from '../evidence/model.ts';
import { type Lab, type LabOptions, startLab } from '../lab/index.ts';
import { credential, runWith } from './testing.ts';
import {
  abandonedSlowDowns,
  answerOf,
  DEVICE_CODE_GRANT,
  deviceAuthorizations,
  invocationAt,
  isAfterExit,
  pollGaps,
  pollSeries,
} from './timeline.ts';

describe('pollSeries', () => {
  it('groups polls per device code, in time order', () => {
    const run = runWith({
      authorizations: [
        {
          at: 0,
          polls: [
            [0, 'authorization_pending'],
            [5000, 'access_denied'],
          ],
        },
        {
          at: 1000,
          polls: [
            [1000, 'authorization_pending'],
            [6000, 'success'],
          ],
        },
      ],
    });
    const series = pollSeries(run);
    expect(series.map((s) => s.deviceCode)).toEqual([
      credential('device_code', 1).fingerprint,
      credential('device_code', 2).fingerprint,
    ]);
    expect(series.map((s) => s.polls.map((p) => p.t))).toEqual([
      [0, 5000],
      [1000, 6000],
    ]);
    expect(series[1]?.authorization?.number).toBe(2);
  });

  it('falls back to the presented device code when the lab did not link one', () => {
    const run = runWith({
      requests: [
        {
          at: 10,
          endpoint: 'token',
          grantType: DEVICE_CODE_GRANT,
          outcome: 'invalid_grant',
          presented: [credential('device_code', 'made-up')],
        },
      ],
    });
    expect(pollSeries(run)[0]?.deviceCode).toBe(credential('device_code', 'made-up').fingerprint);
  });
});

describe('invocationAt', () => {
  const run = runWith({
    invocations: [
      { startedAt: 1000, endedAt: 5000 },
      { startedAt: 20_000, endedAt: 30_000 },
    ],
  });

  const cases: [number, number | undefined, string][] = [
    // [lab ms, invocation index or undefined, why]
    [500, undefined, 'before the first run started'],
    [1000, 1, 'at the first start'],
    [12_000, 1, 'after the first exit, before the second start: still the first run'],
    [20_000, 2, 'the second start'],
    [90_000, 2, 'the last run owns everything after its start, grace period included'],
  ];
  it.each(cases)('%i ms → run %s (%s)', (t, index) => {
    expect(invocationAt(run, t)?.index).toBe(index);
  });

  it('treats a request a moment after exit as sent before it', () => {
    const [first] = run.invocations;
    if (!first) throw new Error('no invocation');
    expect(isAfterExit(first, 5050)).toBe(false);
    expect(isAfterExit(first, 5200)).toBe(true);
  });
});

describe('deviceAuthorizations', () => {
  it('lists successful device authorizations, their expiry counted from the answer', () => {
    const run = runWith({
      expiresIn: 20,
      authorizations: [{ at: 100, outcome: 'invalid_scope' }, { at: 300 }],
    });
    expect(
      deviceAuthorizations(run).map(({ number, at, expiresAt }) => ({ number, at, expiresAt })),
    ).toEqual([{ number: 1, at: 300, expiresAt: 20_302 }]); // the lab took 2 ms to answer
  });
});

describe('answerOf', () => {
  it.each([
    // [outcome, status, answer]
    ['authorization_pending', 400, 'pending'],
    ['slow_down', 400, 'slow-down'],
    ['server_error_injected', 503, 'transient'],
    ['connection_dropped', 0, 'transient'],
    ['server_error', 500, 'transient'],
    ['success', 200, 'terminal'],
    ['access_denied', 400, 'terminal'],
    ['expired_token', 400, 'terminal'],
    ['invalid_grant', 400, 'terminal'],
    ['invalid_client', 401, 'terminal'],
  ])('%s (%i) is %s', (outcome, status, answer) => {
    const [event] = runWith({ polls: [[0, outcome]] }).events.filter(
      (e) => e.type === 'request' && e.endpoint === 'token',
    );
    if (event?.type !== 'request') throw new Error('no poll');
    expect(answerOf({ ...event, status })).toBe(answer);
  });
});

describe('pollGaps', () => {
  it('gives every gap one owner, and none after a terminal answer', () => {
    const run = runWith({
      polls: [
        [0, 'authorization_pending'],
        [5000, 'slow_down'],
        [15_000, 'server_error_injected'],
        [25_000, 'authorization_pending'],
        [35_000, 'success'],
        [36_000, 'invalid_grant'],
      ],
    });
    expect(
      pollGaps(run).map(({ owner, requiredSeconds, fromNumber, toNumber }) => ({
        owner,
        requiredSeconds,
        gap: `${fromNumber}→${toNumber}`,
      })),
    ).toEqual([
      { gap: '1→2', owner: 'poll-interval', requiredSeconds: 5 },
      { gap: '2→3', owner: 'poll-slow-down', requiredSeconds: 10 },
      { gap: '3→4', owner: 'error-backoff', requiredSeconds: 10 },
      { gap: '4→5', owner: 'poll-slow-down', requiredSeconds: 10 },
    ]);
  });

  it('agrees with the interval in force that the fixtures record the way the lab does', () => {
    const run = runWith({
      polls: [
        [0, 'authorization_pending'],
        [5000, 'slow_down'],
        [15_000, 'slow_down'],
        [30_000, 'connection_dropped'],
        [45_000, 'success'],
      ],
    });
    for (const gap of pollGaps(run)) expect(gap.requiredSeconds).toBe(gap.to.intervalInForce);
  });
});

describe('abandonedSlowDowns', () => {
  const slowDownAt5s = [
    [0, 'authorization_pending'],
    [5000, 'slow_down'],
  ] as const;
  const read = (run: ScenarioRun) =>
    abandonedSlowDowns(run).map(({ pollNumber, dueAt, next, invocation }) => ({
      pollNumber,
      dueAt,
      next: next.kind,
      at: next.at,
      run: invocation?.index,
    }));

  it('reads what came instead of the next poll: an exit, or a new device authorization', () => {
    const run = runWith({
      scenario: 'session',
      invocations: [
        { authorizations: [{ at: 0, polls: slowDownAt5s }, { at: 5100 }] },
        { startedAt: 30_000, polls: [[30_000, 'slow_down']], exitCode: 0 },
      ],
    });
    expect(read(run)).toEqual([
      { pollNumber: 2, dueAt: 15_000, next: 'restart', at: 5100, run: 1 },
      { pollNumber: 1, dueAt: 40_000, next: 'exit', at: 30_200, run: 2 },
    ]);
  });

  it.each([
    // [why, run]
    ['polls on', runWith({ polls: [...slowDownAt5s, [15_000, 'success']] })],
    ['the code expires before the next poll', runWith({ expiresIn: 12, polls: slowDownAt5s })],
    ['the next poll within 1 s of expiry', runWith({ expiresIn: 15.5, polls: slowDownAt5s })],
    ['killed at its timeout', runWith({ polls: slowDownAt5s, timedOut: true, endedAt: 8000 })],
    [
      'a process left after the grace period',
      runWith({ polls: slowDownAt5s, leftovers: [{ pid: 4242, name: 'mycli' }] }),
    ],
    ['a poll after the program exited', runWith({ polls: slowDownAt5s, endedAt: 1000 })],
  ])('is empty when %s', (_why, run) => {
    expect(abandonedSlowDowns(run)).toEqual([]);
  });
});

describe('against a real lab', () => {
  const labs: Lab[] = [];
  afterEach(async () => {
    await Promise.all(labs.splice(0).map((lab) => lab.close()));
  });

  /** Runs a tiny device-flow client against a lab and returns the run as evidence. */
  async function record(options: LabOptions, waitMs: (interval: number) => number) {
    const lab = await startLab({ interval: 1, ...options });
    labs.push(lab);
    const post = async (path: string, form: Record<string, string>) => {
      const response = await fetch(`${lab.issuer}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: lab.clientId, ...form }),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    const authorization = await post('/device_authorization', { scope: 'openid' });
    let interval = Number(authorization.interval);
    for (let poll = 0; poll < 20; poll++) {
      const answer = await post('/token', {
        grant_type: DEVICE_CODE_GRANT,
        device_code: String(authorization.device_code),
      });
      if (answer.error === 'slow_down') interval += 5;
      else if (answer.error !== 'authorization_pending') break;
      await sleep(waitMs(interval));
    }
    const run: ScenarioRun = {
      ...runWith({ interval: lab.settings.interval, expiresIn: lab.settings.expiresIn }),
      events: [...lab.trace.events],
    };
    return run;
  }

  it('derives the interval in force from outcomes exactly as the lab tracks it', async () => {
    // Polls every 200 ms against a 1 s interval: the lab answers slow_down, again and again.
    const run = await record({ scenario: 'approve' }, () => 200);
    const gaps = pollGaps(run);
    expect(gaps.length).toBeGreaterThan(2);
    for (const gap of gaps) expect(gap.requiredSeconds).toBe(gap.to.intervalInForce);
    expect(gaps.map((gap) => gap.owner)).toEqual([
      'poll-interval',
      ...gaps.slice(1).map(() => 'poll-slow-down'),
    ]);
    expect(gaps.every((gap) => !gap.honoured)).toBe(true);
  });

  it('finds no early gap for a client that waits the interval', async () => {
    const run = await record({ scenario: 'approve' }, (interval) => interval * 1000);
    const gaps = pollGaps(run);
    expect(gaps.length).toBe(2);
    expect(gaps.every((gap) => gap.honoured && gap.owner === 'poll-interval')).toBe(true);
  });
});
