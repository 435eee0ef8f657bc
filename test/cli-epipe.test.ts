// `devicebound check -v | head -1`: the reader goes away while the program still prints. The
// run must still end its programs, close its labs and remove its sandboxes.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CLI_ENTRY } from './cli.ts';

const fixture = fileURLToPath(new URL('./fixtures/clis/good.mjs', import.meta.url));

it('a closed stdout does not stop the clean-up: no sandbox is left behind', async () => {
  const work = await mkdtemp(join(tmpdir(), 'devicebound-epipe-'));
  try {
    const child = spawn(
      process.execPath,
      [
        CLI_ENTRY,
        'check',
        '--interval',
        '1',
        '--scenario',
        'approve',
        '-v',
        '--',
        process.execPath,
        fixture,
      ],
      { env: { ...process.env, TMPDIR: work }, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // Read the first chunk, then close the pipe as `head -1` does.
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(await readdir(work)).toEqual([]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
