// Memory held by 10,000 pending device authorizations in a lab, trace included.
import { startServerChild } from './lib/children.ts';
import { authorizeDevices, BenchClient, discover, expectPending } from './lib/http.ts';
import type { Benchmark, BenchResult } from './lib/report.ts';
import { formatNumber, log, megabytes } from './lib/report.ts';
import type { StatsReply } from './servers/protocol.ts';

const AUTHORIZATIONS = 10_000;
const CONCURRENCY = 50;
const GOAL_BYTES = 100 * 1024 * 1024;

export const benchmark: Benchmark = {
  name: 'lab-memory',
  title: `memory held by ${formatNumber(AUTHORIZATIONS)} concurrent pending device authorizations in one lab (created over HTTP, ${CONCURRENCY} at a time)`,
  async run(): Promise<BenchResult> {
    log('lab-memory: starting the lab with --expose-gc');
    const child = await startServerChild({
      name: 'lab',
      script: new URL('./servers/lab-server.ts', import.meta.url),
      execArgv: ['--expose-gc'],
    });
    try {
      const { issuer, clientId } = child.ready;
      // Warm the request path up (and let the lab allocate what it allocates once) with 200
      // authorizations, which are part of the baseline.
      const warm = new BenchClient(CONCURRENCY);
      const endpoints = await discover(warm, issuer);
      await authorizeDevices(warm, endpoints.deviceAuthorizationEndpoint, clientId, 200, 10);
      warm.close();
      const before = await collected(child.stats());

      log(`lab-memory: creating ${formatNumber(AUTHORIZATIONS)} device authorizations`);
      const client = new BenchClient(CONCURRENCY);
      let codes: string[];
      try {
        codes = await authorizeDevices(
          client,
          endpoints.deviceAuthorizationEndpoint,
          clientId,
          AUTHORIZATIONS,
          CONCURRENCY,
        );
      } finally {
        // Closed before measuring so no server-side socket counts.
        client.close();
      }
      if (new Set(codes).size !== AUTHORIZATIONS)
        throw new Error('lab-memory: duplicate device codes');
      const after = await collected(child.stats());

      // What the trace's events hold: the same figures once the events are forgotten.
      await child.command('drop-trace');
      const withoutTrace = await collected(child.stats());

      // They are still pending (and still held): one poll of a sample, after the measurement.
      const check = new BenchClient(10);
      try {
        await expectPending(check, 'lab', endpoints.tokenEndpoint, clientId, codes.slice(0, 100));
      } finally {
        check.close();
      }

      const held = (s: StatsReply) => s.memory.heapUsed + s.memory.external;
      const delta = held(after) - held(before);
      const traceShare = held(after) - held(withoutTrace);
      return {
        figures: [
          {
            label: `heap+external held by ${formatNumber(AUTHORIZATIONS)} pending`,
            value: megabytes(delta),
            goal: { text: `< ${megabytes(GOAL_BYTES)}`, met: delta < GOAL_BYTES },
          },
          { label: '  of which the trace (request events)', value: megabytes(traceShare) },
          {
            label: '  per device authorization',
            value: `${formatNumber(delta / AUTHORIZATIONS / 1024, 2)} KB`,
          },
          { label: 'rss growth (context)', value: megabytes(after.memory.rss - before.memory.rss) },
        ],
        notes: [
          `heap+external = process.memoryUsage().heapUsed + .external in the lab's process after full GCs, before and after the ${formatNumber(AUTHORIZATIONS)} authorizations (baseline: lab started, 200 authorizations made to warm up, client connections closed)`,
          `trace events held after: ${formatNumber(after.traceEvents ?? 0)}; the trace share is measured by emptying lab.trace.events afterwards`,
          'rss includes memory V8 and the allocator keep after use, so it grows more than what is held',
        ],
      };
    } finally {
      await child.stop();
    }
  },
};

async function collected(stats: Promise<StatsReply>): Promise<StatsReply> {
  const reply = await stats;
  if (!reply.collected) throw new Error('lab-memory: the lab child did not run with --expose-gc');
  return reply;
}
