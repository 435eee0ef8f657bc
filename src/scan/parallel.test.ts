// The worker wrapper: a worker scans a file as this thread would; a worker that cannot start
// says so (loaded is false) and fails its files, so the walk scans them itself.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RULES_DETECTOR } from './content.ts';
import { type FileJob, FileScanner } from './file.ts';
import { ScanWorker, type WorkerSetup } from './parallel.ts';
import { join as concat, fake } from './rules/fake.ts';
import { DEFAULT_LIMITS } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'devicebound-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function jobFor(path: string): FileJob {
  const stats = statSync(path);
  return { display: path, absolute: path, dev: stats.dev, ino: stats.ino, size: stats.size };
}

const setup: WorkerSetup = {
  detector: { type: 'rules' },
  exclude: [],
  limits: DEFAULT_LIMITS,
  content: {},
};

describe('ScanWorker', () => {
  it('scans a file as this thread does', async () => {
    const path = join(dir, 'a.log');
    writeFileSync(path, `one\ntoken=${concat('gh', 'o_', fake(36, 4))}\n`);
    const here = await new FileScanner({
      detector: RULES_DETECTOR,
      limits: DEFAULT_LIMITS,
      content: {},
      isExcluded: () => false,
    }).scan(jobFor(path));
    const worker = new ScanWorker(setup);
    try {
      expect(await worker.loaded).toBe(true);
      const there = await worker.scan(jobFor(path));
      expect(there).toEqual(here);
      expect(there.findings.map((f) => [f.rule, f.line])).toEqual([['github-token', 2]]);
    } finally {
      await worker.terminate();
    }
  });

  it('reports a worker that cannot start, and fails its files instead of hanging', async () => {
    const broken = new ScanWorker({
      ...setup,
      // Needles the worker cannot rebuild: it throws while loading.
      detector: { type: 'canaries', needles: [null as never] },
    });
    try {
      expect(await broken.loaded).toBe(false);
      await expect(broken.scan(jobFor(join(dir, 'a.log')))).rejects.toThrow(/scan worker/);
    } finally {
      await broken.terminate();
    }
  });
});
