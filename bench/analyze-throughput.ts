// `devicebound analyze` on large HARs (issue: analyze and record): throughput, peak memory as
// the file grows, and jq streaming the same entries, all in this one run.
//
// Two HARs are generated in a temporary folder, 1 GiB and 2 GiB: mostly unrelated traffic
// (pages, scripts, base64 images, JSON APIs), with a device flow every ~100 MiB. The built CLI
// (`bin/devicebound.js analyze FILE --format json`) runs on each, timed whole (start-up
// included) under /usr/bin/time for its peak resident memory; then `jq --stream` extracts the
// entries of the 1 GiB file. Goals: ≥ 300 MB/s, peak RSS ≤ 300 MB and flat from 1 to 2 GiB.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The HAR entries of the analyze tests, as devtools writes them.
import { entry } from '../test/har-builder.ts';
import { CLI, MIB } from './lib/paths.ts';
import { type Benchmark, type Figure, formatNumber, log } from './lib/report.ts';

const TIME = '/usr/bin/time';
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** A device flow: authorization, two pending polls, success. */
function flow(at: number, n: number): string[] {
  const code = randomBytes(24).toString('base64url');
  const as = `https://login${n % 3}.example.com`;
  const poll = { grant_type: GRANT, device_code: code, client_id: `cli-${n}` };
  return [
    entry(at, 'POST', `${as}/oauth/device_authorization`, {
      form: { client_id: `cli-${n}`, scope: 'openid' },
      answer: { device_code: code, user_code: 'ABCD-EFGH', interval: 5, expires_in: 600 },
    }),
    ...[1, 2].map((i) =>
      entry(at + i * 5000, 'POST', `${as}/oauth/token`, {
        form: poll,
        status: 400,
        answer: { error: 'authorization_pending' },
      }),
    ),
    entry(at + 15_000, 'POST', `${as}/oauth/token`, {
      form: poll,
      answer: {
        access_token: randomBytes(32).toString('base64url'),
        token_type: 'Bearer',
        expires_in: 3600,
      },
    }),
  ].map((item) => JSON.stringify(item));
}

/** Writes a HAR of about `bytes`; returns its device-flow count. */
async function generate(file: string, bytes: number): Promise<number> {
  const out = createWriteStream(file);
  const write = (text: string) =>
    new Promise<void>((resolve) => (out.write(text) ? resolve() : out.once('drain', resolve)));
  await write(
    '{"log":{"version":"1.2","creator":{"name":"devicebound-bench","version":"1"},"pages":[],"entries":[\n',
  );
  const html = `<html><body>${'<p>lorem ipsum dolor sit amet</p>'.repeat(600)}</body></html>`;
  const script = `function f(){${'var a=1;'.repeat(12_000)}}`;
  const image = randomBytes(40_000).toString('latin1');
  const api = JSON.stringify({
    items: Array.from({ length: 40 }, (_, i) => ({ id: i, name: `item ${i}` })),
  });
  let written = 0;
  let flows = 0;
  let at = 0;
  let first = true;
  let nextFlow = 50 * MIB;
  while (written < bytes) {
    const batch = [
      entry(at, 'GET', `https://www.example.com/p/${at}`, { answerText: html }),
      entry(at + 1, 'GET', `https://cdn.example.com/app-${at}.js`, {
        answerText: script,
        answerMime: 'application/javascript',
      }),
      entry(at + 2, 'GET', `https://cdn.example.com/i-${at}.png`, {
        answerText: image,
        answerMime: 'image/png',
        base64: true,
      }),
      entry(at + 3, 'GET', `https://api.example.com/items?at=${at}`, {
        answerText: api,
        answerMime: 'application/json',
      }),
    ].map((item) => JSON.stringify(item));
    if (written >= nextFlow) {
      batch.push(...flow(at + 4, flows++));
      nextFlow += 100 * MIB;
    }
    for (const item of batch) {
      const text = `${first ? '' : ',\n'}${item}`;
      first = false;
      written += Buffer.byteLength(text);
      await write(text);
    }
    at += 20_000;
  }
  await write('\n]}}\n');
  await new Promise<void>((resolve) => out.end(resolve));
  return flows;
}

/** Runs a command under /usr/bin/time: wall ms and peak RSS (MB), and its stdout. */
function timed(
  command: string[],
  stdout: 'ignore' | 'pipe' = 'ignore',
): Promise<{ ms: number; rssMb: number; out: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TIME, ['-f', '%M', ...command], { stdio: ['ignore', stdout, 'pipe'] });
    let err = '';
    let out = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk));
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      const kb = Number(err.trim().split('\n').at(-1));
      if (code !== 0 && code !== 1)
        reject(new Error(`${command[0]} exited ${code}: ${err.slice(-500)}`));
      else resolve({ ms, rssMb: kb / 1024, out });
    });
  });
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

export const benchmark: Benchmark = {
  name: 'analyze-throughput',
  title:
    'devicebound analyze on 1 GiB and 2 GiB HARs: MB/s, peak RSS, and jq --stream on the same entries',
  async run() {
    if (!existsSync(TIME)) {
      return {
        figures: [],
        notes: ['skipped: /usr/bin/time is not installed (Debian package time)'],
      };
    }
    const dir = await mkdtemp(join(tmpdir(), 'devicebound-bench-har-'));
    try {
      const figures: Figure[] = [];
      const sizes = [1024, 2048];
      const rss: number[] = [];
      let oneGiB = '';
      for (const size of sizes) {
        const file = join(dir, `${size}.har`);
        log(`analyze-throughput: generating ${size} MiB`);
        const flows = await generate(file, size * MIB);
        if (size === 1024) oneGiB = file;
        const bytes = (await stat(file)).size;
        const runs = [];
        for (let i = 0; i < 3; i++) {
          log(`analyze-throughput: ${size} MiB run ${i + 1}/3`);
          runs.push(
            await timed([process.execPath, CLI, 'analyze', file, '--format', 'json'], 'pipe'),
          );
        }
        const found = (JSON.parse(runs[0]?.out ?? '{}') as { scenarios?: unknown[] }).scenarios
          ?.length;
        if (found !== flows)
          throw new Error(`analyze found ${found} flows of ${flows} in ${size} MiB`);
        const ms = median(runs.map((r) => r.ms));
        const peak = Math.max(...runs.map((r) => r.rssMb));
        rss.push(peak);
        const rate = bytes / MIB / (ms / 1000);
        figures.push(
          {
            label: `${size} MiB HAR (${flows} device flows): analyze, whole CLI run (median of 3)`,
            value: `${formatNumber(ms)} ms = ${formatNumber(rate)} MB/s`,
            goal: { text: '≥ 300 MB/s', met: rate >= 300 },
          },
          {
            label: `${size} MiB HAR: peak RSS (max of 3)`,
            value: `${formatNumber(peak)} MB`,
            goal: { text: '≤ 300 MB', met: peak <= 300 },
          },
        );
      }
      const growth = (rss[1] ?? 0) / (rss[0] ?? 1);
      figures.push({
        label: 'peak RSS, 2 GiB / 1 GiB',
        value: `${formatNumber(growth, 2)}x`,
        goal: { text: 'flat (≤ 1.1x)', met: growth <= 1.1 },
      });
      const jq = spawn('jq', ['--version']);
      const hasJq = await new Promise<boolean>((resolve) => {
        jq.on('error', () => resolve(false));
        jq.on('exit', (code) => resolve(code === 0));
      });
      if (hasJq) {
        log('analyze-throughput: jq --stream on 1 GiB');
        const bytes = (await stat(oneGiB)).size;
        const run = await timed([
          'jq',
          '-cn',
          '--stream',
          'fromstream(3 | truncate_stream(inputs | select(.[0][0] == "log" and .[0][1] == "entries")))',
          oneGiB,
        ]);
        figures.push({
          label: '1 GiB HAR: jq --stream extracting the same entries (baseline)',
          value: `${formatNumber(run.ms)} ms = ${formatNumber(bytes / MIB / (run.ms / 1000))} MB/s, ${formatNumber(run.rssMb)} MB peak`,
        });
      }
      return {
        figures,
        notes: [
          'HARs: pages (~20 KB), scripts (~100 KB), base64 images (~53 KB), JSON APIs, and a generic device flow every ~100 MiB',
          'analyze = the built CLI, start-up and the JSON report included; RSS from /usr/bin/time -f %M',
          ...(hasJq ? [] : ['jq is not installed (Debian package jq): no baseline']),
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
