// Issue 16: `inventory` on a synthetic host with 200 homes, each a copy of the fixture home (a
// realistic cache of every tool devicebound knows): the whole command at most 2 s, and the
// fleet formats (OCSF, osquery ATC) adding at most 10 % to it. Whole commands, start-up
// included, median of BENCH_FLEET_RUNS, the three measured in the same run. The homes are
// given as --home (--all-users reads the machine's own /home; it walks each home the same way).
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFixtureHome } from '../test/fixtures/inventory/build-home.ts';
import { CLI } from './lib/paths.ts';
import { type Benchmark, type Figure, formatNumber, log, positiveInteger } from './lib/report.ts';

const HOMES = positiveInteger('BENCH_FLEET_HOMES', 200);
const RUNS = positiveInteger('BENCH_FLEET_RUNS', 9);

export const benchmark: Benchmark = {
  name: 'inventory-fleet',
  title: `inventory of ${HOMES} homes (each the fixture home), whole command, median of ${RUNS}: JSON alone, then with OCSF and with the osquery ATC database`,
  async run() {
    const base = await mkdtemp(join(tmpdir(), 'devicebound-bench-fleet-'));
    try {
      const template = await buildFixtureHome(join(base, 'template'), new Date());
      const homes: string[] = [];
      for (let i = 0; i < HOMES; i++) {
        const home = join(base, 'homes', `user${String(i).padStart(3, '0')}`);
        await mkdir(home, { recursive: true });
        await cp(template.home, home, { recursive: true, verbatimSymlinks: true });
        homes.push(home);
      }
      const homeArgs = homes.flatMap((home) => ['--home', home]);
      const variants: { label: string; args: string[] }[] = [
        { label: 'JSON', args: ['--format', 'json', '--output', join(base, 'r.json')] },
        {
          label: 'JSON + OCSF',
          args: [
            ...['--format', 'json', '--output', join(base, 'r.json')],
            ...['--format', 'ocsf', '--output', join(base, 'r.ocsf.jsonl')],
          ],
        },
        {
          label: 'JSON + osquery ATC',
          args: [
            ...['--format', 'json', '--output', join(base, 'r.json')],
            ...['--format', 'osquery-atc', '--output', join(base, 'r.db')],
          ],
        },
      ];
      const times = new Map(variants.map((v) => [v.label, [] as number[]]));
      // Interleaved, so that a slow moment of a shared machine falls on all three alike.
      for (let run = 0; run <= RUNS; run++) {
        for (const variant of variants) {
          const started = process.hrtime.bigint();
          try {
            execFileSync(process.execPath, [CLI, 'inventory', ...homeArgs, ...variant.args], {
              stdio: 'ignore',
            });
          } catch (error) {
            // Exit 1 is "findings at or above fail-on": the fixture home has many.
            if ((error as { status?: number }).status !== 1) throw error;
          }
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          if (run > 0) times.get(variant.label)?.push(seconds);
        }
        log(`inventory-fleet: run ${run}${run === 0 ? ' (warm-up)' : ''} done`);
      }
      const median = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
      };
      const json = median(times.get('JSON') ?? []);
      const report = JSON.parse(await readFile(join(base, 'r.json'), 'utf8')) as {
        entries: unknown[];
      };
      const entries = report.entries.length;
      const figures: Figure[] = [
        { label: 'homes / entries in all', value: `${HOMES} / ${formatNumber(entries)}` },
        {
          label: 'inventory, JSON',
          value: `${formatNumber(json, 2)} s`,
          goal: { text: '≤ 2 s', met: json <= 2 },
        },
      ];
      for (const label of ['JSON + OCSF', 'JSON + osquery ATC']) {
        const seconds = median(times.get(label) ?? []);
        // Paired: each run's time over the JSON run just before it, then the median of those,
        // so that a shared machine's drift between runs does not move the ratio.
        const jsonTimes = times.get('JSON') ?? [];
        const ratios = (times.get(label) ?? []).map((t, i) => t / (jsonTimes[i] ?? Number.NaN));
        const added = (median(ratios) - 1) * 100;
        const addedMs =
          median((times.get(label) ?? []).map((t, i) => t - (jsonTimes[i] ?? 0))) * 1000;
        figures.push({
          label: `inventory, ${label}`,
          value: `${formatNumber(seconds, 2)} s (${added >= 0 ? '+' : ''}${formatNumber(added, 1)} %, ${addedMs >= 0 ? '+' : ''}${formatNumber(addedMs, 0)} ms, paired)`,
          goal: { text: '≤ +10 %', met: added <= 10 },
        });
      }
      return {
        figures,
        notes: [
          `whole commands (node bin/devicebound.js inventory --home … ×${HOMES}), start-up included; median of ${RUNS} after one warm-up, the three variants interleaved; the added time is the median of each run's ratio to the JSON run of the same round; BENCH_FLEET_HOMES and BENCH_FLEET_RUNS set the size and runs`,
          `each home is a copy of test/fixtures/inventory (every tool's caches, malformed and unknown files, a symlink out of the home); the page cache is warm`,
          `machine: ${execFileSync('nproc').toString().trim()} CPUs, shared`,
        ],
      };
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  },
};
