// What the egress proxy and the per-run TLS cost a scenario, and how concurrent a real CLI's
// six-scenario check is (issue: real CLIs unmodified).
//
// (1) The same fixture (test/fixtures/clis/good.mjs, a generic RFC 8628 client on Node's fetch)
//     runs one approve scenario at interval 1 s twice, alternating, in this one process:
//     - plain: a lab without proxy or TLS, the program talking http to it directly;
//     - tls+proxy: a lab with TLS on its own port (`tls: true`) and the egress proxy, the program
//       given the proxy and CA variables the runner gives (NODE_USE_ENV_PROXY=1, so every request
//       goes through CONNECT and a TLS handshake with a leaf from the run CA).
//     Each side includes starting and closing its lab; the tls+proxy side adds a share of the
//     CA's creation (one CA per check run, shared by its six scenarios). The figure is the
//     median difference, per scenario.
// (2) `devicebound check --preset gh` in all six scenarios against its slowest scenario alone,
//     when Debian's gh is installed.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Evidence } from '../src/evidence/model.ts';
import { SCENARIOS } from '../src/evidence/names.ts';
import { startLab } from '../src/lab/index.ts';
import { networkVariables } from '../src/runner/environment.ts';
import { createRunCa } from '../src/tls/ca.ts';
import { type Benchmark, type Figure, formatNumber, log } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 'clis', 'good.mjs');
const CLI = join(ROOT, 'bin', 'devicebound.js');
const REPEATS = 7;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function runProgram(env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE], { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', resolve);
  });
}

/** One approve scenario, lab start to lab close, in ms. */
async function scenario(secure: boolean, caFile: string): Promise<number> {
  // A check run makes one CA and each leaf once, shared by its six scenarios: they are made
  // here before the clock starts, and a sixth of their cost is added.
  const started = performance.now();
  const ca = secure ? await createRunCa({ hosts: [] }) : undefined;
  await ca?.secureContext('127.0.0.1');
  const caMs = performance.now() - started;
  const t0 = performance.now();
  const lab = await startLab({
    scenario: 'approve',
    interval: 1,
    ...(ca && { ca, tls: true, proxy: true }),
  });
  if (ca) await writeFile(caFile, ca.certPem);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DEVICEBOUND_ISSUER: lab.issuer,
    DEVICEBOUND_CLIENT_ID: lab.clientId,
    DEVICEBOUND_RESOURCE: lab.resource,
    ...(lab.proxy && networkVariables({ proxy: lab.proxy, caFile })),
  };
  const code = await runProgram(env);
  await lab.close();
  if (code !== 0) throw new Error(`the fixture exited ${code} (${secure ? 'tls+proxy' : 'plain'})`);
  // One CA serves the six scenarios of a check run: a sixth of it is this scenario's share.
  return performance.now() - t0 + caMs / 6;
}

async function ghSuite(
  dir: string,
  scenarios: string[],
): Promise<{ wallMs: number; slowestMs: number }> {
  const evidenceFile = join(dir, `gh-${scenarios.length}.json`);
  const args = [
    CLI,
    'check',
    '--preset',
    'gh',
    '--format',
    'json',
    '--output',
    join(dir, 'r.json'),
  ];
  for (const name of scenarios) args.push('--scenario', name);
  args.push('--save-evidence', evidenceFile);
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  const wallMs = performance.now() - started;
  const evidence = JSON.parse(await readFile(evidenceFile, 'utf8')) as Evidence;
  let slowestMs = 0;
  const approve = evidence.runs.find((run) => run.scenario === 'approve');
  if (approve?.invocations[0]?.exitCode !== 0)
    throw new Error(`gh did not sign in in the approve scenario (${scenarios.length} scenarios)`);
  for (const run of evidence.runs) {
    const first = run.invocations[0];
    const last = run.invocations.at(-1);
    if (first && last) slowestMs = Math.max(slowestMs, last.graceEndedAt - first.startedAt);
  }
  return { wallMs, slowestMs };
}

async function ghInstalled(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('gh', ['--version'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

export const benchmark: Benchmark = {
  name: 'tls-proxy-overhead',
  title: 'egress proxy and per-run TLS: cost per scenario; gh six-scenario concurrency',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'devicebound-bench-tls-'));
    const figures: Figure[] = [];
    const notes: string[] = [];
    try {
      const caFile = join(dir, 'ca.pem');
      const plain: number[] = [];
      const secure: number[] = [];
      await scenario(false, caFile); // warm-up: JIT, module cache
      await scenario(true, caFile);
      for (let i = 0; i < REPEATS; i++) {
        plain.push(await scenario(false, caFile));
        secure.push(await scenario(true, caFile));
        log(
          `  round ${i + 1}: plain ${plain.at(-1)?.toFixed(0)} ms, tls+proxy ${secure.at(-1)?.toFixed(0)} ms`,
        );
      }
      const deltas = secure.map((value, i) => value - (plain[i] ?? value));
      const cost = median(deltas);
      figures.push(
        {
          label: 'approve scenario, plain http (median)',
          value: `${formatNumber(median(plain))} ms`,
        },
        {
          label: 'approve scenario, TLS + egress proxy (median)',
          value: `${formatNumber(median(secure))} ms`,
        },
        {
          label: 'TLS + proxy cost per scenario (median of paired differences)',
          value: `${formatNumber(cost, 1)} ms`,
          goal: { text: '≤ 50 ms', met: cost <= 50 },
        },
      );
      notes.push(
        `${REPEATS} alternating pairs after one warm-up each; the fixture makes 6 requests (metadata, device authorization, 3 polls, whoami), each through CONNECT + TLS on the secure side`,
        'the secure side includes a sixth of making the run CA and its leaf (one of each per check run, shared by six scenarios)',
      );

      if (await ghInstalled()) {
        const all = await ghSuite(dir, [...SCENARIOS]);
        const alone = await ghSuite(dir, ['approve']);
        const ratio = all.wallMs / alone.wallMs;
        figures.push(
          {
            label: 'gh: check, all six scenarios (wall)',
            value: `${formatNumber(all.wallMs / 1000, 1)} s`,
          },
          {
            label: 'gh: check, approve alone (its slowest scenario, wall)',
            value: `${formatNumber(alone.wallMs / 1000, 1)} s`,
          },
          {
            label: 'gh: six scenarios / slowest alone',
            value: `${formatNumber(ratio, 2)}x`,
            goal: { text: '≤ 1.2x', met: ratio <= 1.2 },
          },
        );
        notes.push(
          'gh: Debian gh on PATH, check --preset gh, default intervals (approve announces 6 s)',
        );
      } else {
        notes.push(
          'gh: not installed here (apt-get install gh); the concurrency figure was not measured',
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return { figures, notes };
  },
};
