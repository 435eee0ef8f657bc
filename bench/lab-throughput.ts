// The token endpoint answering authorization_pending to concurrent pollers: the lab against
// oidc-provider (npm, device flow enabled), each in its own process, loaded by autocannon here.
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { type ServerChild, startServerChild } from './lib/children.ts';
import {
  authorizeDevices,
  BenchClient,
  DEVICE_CODE_GRANT,
  discover,
  expectPending,
} from './lib/http.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { formatNumber, log, megabytes, positiveInteger } from './lib/report.ts';
import type { StatsReply } from './servers/protocol.ts';

const CONNECTIONS = 50;
const WARMUP_SECONDS = positiveInteger('BENCH_WARMUP', 2);
/** Measured time per server, in ROUNDS slices taken in turn (ABBA) so that load from other
 * programs on a shared machine weighs on both servers alike. */
const DURATION_SECONDS = positiveInteger('BENCH_DURATION', 8);
const ROUNDS = 4;
/**
 * Pending device authorizations the pollers cycle over. oidc-provider's default in-memory
 * adapter is an LRU of about 1,000 entries (2 per device authorization): far more and its
 * device codes would be evicted and answered invalid_grant.
 */
const PENDING = 200;
const GOAL_RATIO = 2;

interface Target {
  child: ServerChild;
  tokenEndpoint: string;
  clientId: string;
  deviceCodes: string[];
  requests: AutocannonRequest[];
  /** Answers tallied by `${status} ${body}`. */
  answers: Map<string, number>;
  /** Raw (unaggregated) autocannon results of the measured rounds. */
  rounds: AutocannonResult[];
  /** The server's CPU time before the measured slices, microseconds. */
  cpuBefore: number;
}

interface Measurement {
  requestsPerSecond: number;
  answered: number;
  p50: number;
  p99: number;
  failures: number;
  /** Server CPU time (user + system) per answer, microseconds. */
  cpuPerAnswer: number;
}

export const benchmark: Benchmark = {
  name: 'lab-throughput',
  title: `token endpoint answering authorization_pending: ${CONNECTIONS} connections, ${DURATION_SECONDS} s per server (${ROUNDS} alternating slices) after a ${WARMUP_SECONDS} s warm-up, over ${PENDING} pending device codes`,
  async run(): Promise<BenchResult> {
    const children: ServerChild[] = [];
    try {
      const start = async (name: string, script: string) => {
        log(`${name}: starting`);
        const child = await startServerChild({ name, script: new URL(script, import.meta.url) });
        children.push(child);
        return prepare(child);
      };
      const lab = await start('lab', './servers/lab-server.ts');
      const op = await start('oidc-provider', './servers/oidc-provider-server.ts');

      for (const target of [lab, op]) {
        log(`${target.child.name}: warming up for ${WARMUP_SECONDS} s`);
        await blast(target, WARMUP_SECONDS);
        tally(target);
        target.answers.clear();
      }
      for (const target of [lab, op]) target.cpuBefore = cpuTime(await target.child.stats());
      const slice = DURATION_SECONDS / ROUNDS;
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? [lab, op] : [op, lab];
        for (const target of order) {
          log(`${target.child.name}: measuring, slice ${round + 1} of ${ROUNDS} (${slice} s)`);
          target.rounds.push(await blast(target, slice));
        }
      }

      const labResult = await finish(lab);
      const opResult = await finish(op);
      const labStats = await lab.child.stats();
      const opStats = await op.child.stats();

      const ratio = labResult.requestsPerSecond / opResult.requestsPerSecond;
      return {
        figures: [
          { label: 'lab requests/s', value: formatNumber(labResult.requestsPerSecond) },
          { label: 'oidc-provider requests/s', value: formatNumber(opResult.requestsPerSecond) },
          {
            label: 'throughput ratio lab / oidc-provider',
            value: `${formatNumber(ratio, 2)}x`,
            goal: { text: `≥ ${formatNumber(GOAL_RATIO, 1)}x`, met: ratio >= GOAL_RATIO },
          },
          { label: 'lab p99 latency', value: `${formatNumber(labResult.p99)} ms` },
          { label: 'oidc-provider p99 latency', value: `${formatNumber(opResult.p99)} ms` },
          {
            label: 'p99 latency ratio oidc-provider / lab',
            value: `${formatNumber(opResult.p99 / labResult.p99, 2)}x`,
          },
          { label: 'lab p50 latency', value: `${formatNumber(labResult.p50)} ms` },
          { label: 'oidc-provider p50 latency', value: `${formatNumber(opResult.p50)} ms` },
          {
            label: 'lab server CPU per answer',
            value: `${formatNumber(labResult.cpuPerAnswer)} µs`,
          },
          {
            label: 'oidc-provider server CPU per answer',
            value: `${formatNumber(opResult.cpuPerAnswer)} µs`,
          },
          {
            label: 'CPU per answer ratio oidc-provider / lab',
            value: `${formatNumber(opResult.cpuPerAnswer / labResult.cpuPerAnswer, 2)}x`,
          },
          {
            label: 'lab heap+external after the runs',
            value: megabytes(labStats.memory.heapUsed + labStats.memory.external),
          },
          {
            label: 'lab trace events after the runs',
            value: formatNumber(labStats.traceEvents ?? 0),
          },
          {
            label: 'oidc-provider heap+external after the runs',
            value: megabytes(opStats.memory.heapUsed + opStats.memory.external),
          },
        ],
        notes: [
          `answers measured: lab ${formatNumber(labResult.answered)}, oidc-provider ${formatNumber(opResult.answered)}; all HTTP 400 authorization_pending (every answer checked, and one poll of every device code before and after); socket errors and timeouts: lab ${labResult.failures}, oidc-provider ${opResult.failures}`,
          'each server runs in its own process; autocannon runs in this one; latency percentiles are autocannon’s (whole ms) over all slices',
          'CPU per answer is the server process’s user + system time over the measured slices divided by its answers: it moves less than requests/s when other programs load the machine, but it rises too when they compete for caches and cores',
          'oidc-provider never answers slow_down by itself (its device_code grant only throws AuthorizationPending; SlowDown is exported for custom code), so like the lab (enforceInterval: false) it answers every fast poll authorization_pending',
          'the lab keeps its trace on: every request is an event held in lab.trace.events; memory "after the runs" is without a forced GC',
        ],
      };
    } finally {
      await Promise.all(children.map((child) => child.stop()));
    }
  },
};

function cpuTime(stats: StatsReply): number {
  return stats.cpu.user + stats.cpu.system;
}

/** Makes the pending device authorizations and checks they are answered authorization_pending. */
async function prepare(child: ServerChild): Promise<Target> {
  const { issuer, clientId } = child.ready;
  const client = new BenchClient(10);
  try {
    const endpoints = await discover(client, issuer);
    const deviceCodes = await authorizeDevices(
      client,
      endpoints.deviceAuthorizationEndpoint,
      clientId,
      PENDING,
      10,
    );
    await expectPending(client, child.name, endpoints.tokenEndpoint, clientId, deviceCodes);

    const answers = new Map<string, number>();
    const requests: AutocannonRequest[] = deviceCodes.map((code) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: DEVICE_CODE_GRANT,
        client_id: clientId,
        device_code: code,
      }).toString(),
      // Every answer is tallied by its exact body (cheap: the bodies repeat), decoded at the end.
      onResponse: (status, body) => {
        const key = `${status} ${body}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
      },
    }));
    return {
      child,
      tokenEndpoint: endpoints.tokenEndpoint,
      clientId,
      deviceCodes,
      requests,
      answers,
      rounds: [],
      cpuBefore: 0,
    };
  } finally {
    client.close();
  }
}

function blast(target: Target, duration: number): Promise<AutocannonResult> {
  return autocannon({
    url: target.tokenEndpoint,
    connections: CONNECTIONS,
    duration,
    timeout: 10,
    requests: target.requests,
    // Keep the raw histograms, to merge the slices with autocannon.aggregateResult().
    skipAggregateResult: true,
  });
}

/** Checks every answer and the device codes once more, and merges the slices. */
async function finish(target: Target): Promise<Measurement> {
  const answered = tally(target);
  const client = new BenchClient(10);
  try {
    await expectPending(
      client,
      target.child.name,
      target.tokenEndpoint,
      target.clientId,
      target.deviceCodes,
    );
  } finally {
    client.close();
  }
  // The idle server uses next to no CPU while the other one is measured.
  const cpuUsed = cpuTime(await target.child.stats()) - target.cpuBefore;
  const merged = autocannon.aggregateResult(target.rounds, { url: target.tokenEndpoint });
  const seconds = target.rounds.reduce((sum, r) => sum + r.duration, 0);
  const failures = target.rounds.reduce((sum, r) => sum + r.errors + r.timeouts, 0);
  if (failures > answered * 0.01) {
    throw new Error(
      `${target.child.name}: ${failures} socket errors and timeouts for ${answered} answers`,
    );
  }
  const measurement = {
    requestsPerSecond: answered / seconds,
    answered,
    p50: merged.latency.p50,
    p99: merged.latency.p99,
    failures,
    cpuPerAnswer: cpuUsed / answered,
  };
  log(
    `${target.child.name}: ${formatNumber(measurement.requestsPerSecond)} requests/s, p99 ${measurement.p99} ms`,
  );
  return measurement;
}

/**
 * Decodes the tallied answers and fails loudly unless every one is HTTP 400
 * authorization_pending. Returns how many there were.
 */
function tally(target: Target): number {
  const byError = new Map<string, number>();
  for (const [key, count] of target.answers) {
    const space = key.indexOf(' ');
    const status = key.slice(0, space);
    let error: string;
    try {
      error = String((JSON.parse(key.slice(space + 1)) as { error?: unknown }).error);
    } catch {
      error = `non-JSON body ${JSON.stringify(key.slice(space + 1, space + 81))}`;
    }
    const name = status === '400' ? error : `HTTP ${status} ${error}`;
    byError.set(name, (byError.get(name) ?? 0) + count);
  }
  const total = [...byError.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0 || byError.get('authorization_pending') !== total) {
    const breakdown = [...byError].map(([name, n]) => `${name}: ${n}`).join(', ');
    throw new Error(
      `${target.child.name}: expected only HTTP 400 authorization_pending answers, got ${breakdown || 'none'}`,
    );
  }
  return total;
}
