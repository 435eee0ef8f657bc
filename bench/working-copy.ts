// What a scenario's own copy of the working directory costs (issue 11: per-scenario working
// directories). The folder is a realistic one: a checkout of this repository at HEAD (`git
// archive`, so no node_modules, dist or build output; an empty .git beside it, which is linked,
// not copied).
//
// (1) One copy at a time, as a single-scenario check makes it: median and best of REPEATS.
// (2) Six copies at once, as the six concurrent scenarios of a check make them at start.
// (3) What removing one copy adds to a scenario's clean-up.
// The copy goes to os.tmpdir(), as the sandboxes do; reflinks are used where that file system
// clones (btrfs, XFS, APFS), byte copies elsewhere; the notes say which file system it was.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { snapshot } from '../src/runner/snapshot.ts';
import { copyWorkingDirectory } from '../src/runner/working-copy.ts';
import { type Benchmark, type Figure, formatNumber, log, megabytes } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPEATS = 9;
const SCENARIOS = 6;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** A checkout of this repository at HEAD in `dir/devicebound`, without anything untracked. */
function checkout(dir: string): string {
  const folder = join(dir, 'devicebound');
  mkdirSync(folder, { recursive: true });
  const archive = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', 'HEAD'], {
    maxBuffer: 512 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', folder], { input: archive });
  return folder;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

export const benchmark: Benchmark = {
  name: 'working-copy',
  title: "a scenario's own copy of the working directory: copy time on a checkout of this repo",
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'devicebound-bench-copy-'));
    try {
      const source = checkout(dir);
      await mkdir(join(source, '.git'));
      await writeFile(join(source, '.git', 'HEAD'), 'ref: refs/heads/main\n');
      const { files } = await snapshot(source, { skipVendored: true });
      const bytes = [...files.values()].reduce((sum, file) => sum + file.size, 0);
      let n = 0;
      const target = () => join(dir, `copy-${++n}`, 'devicebound');

      log(`working-copy: ${files.size} files, one copy at a time ×${REPEATS}`);
      const copies: number[] = [];
      const removals: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const [ms, copy] = await timed(() => copyWorkingDirectory(source, target()));
        if (!copy.copied) throw new Error(`not copied: ${copy.notes.join('; ')}`);
        copies.push(ms);
        removals.push((await timed(() => rm(copy.path, { recursive: true })))[0]);
      }

      log(`working-copy: ${SCENARIOS} copies at once ×${REPEATS}`);
      const together: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const [ms, made] = await timed(() =>
          Promise.all(
            Array.from({ length: SCENARIOS }, () => copyWorkingDirectory(source, target())),
          ),
        );
        together.push(ms);
        await Promise.all(made.map((copy) => rm(copy.path, { recursive: true })));
      }

      const perScenario = median(copies);
      const figures: Figure[] = [
        { label: 'working directory', value: `${files.size} files, ${megabytes(bytes)}` },
        {
          label: 'copy per scenario (median / best)',
          value: `${formatNumber(perScenario)} / ${formatNumber(Math.min(...copies))} ms`,
          goal: { text: '< 250 ms', met: perScenario < 250 },
        },
        {
          label: `${SCENARIOS} copies at once (median)`,
          value: `${formatNumber(median(together))} ms`,
        },
        { label: 'removing one copy (median)', value: `${formatNumber(median(removals))} ms` },
      ];
      const fs = await statfs(dir);
      return {
        figures,
        notes: [
          `git archive of HEAD (${ROOT}) in ${tmpdir()} (file system type 0x${fs.type.toString(16)}); copies made by copyWorkingDirectory, as the runner makes them`,
          'a scenario runs for seconds (grace period at least 1.5 s); the copy is made while its lab starts, so part of it overlaps',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
